"""What the certificate tests share: the communes' organisation certificates (from the signing
tests' PKI, so pdfsig's NSS database trusts them), a registered birth, marriage and death, and
readers of the PDF (pdftotext, the QR code through pdftoppm + zbarimg)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from egov.civil.services import records
from egov.signing import pki, services

from .conftest import years_ago


def register_org_certificate(unit, root, name: str) -> None:
    admin = get_user_model().objects.filter(is_superuser=True).first() or \
        get_user_model().objects.create_superuser("quantri", password="x-Mat-khau-2026")
    issued = pki.issue_certificate(root, name, organization=name, locality=unit.place_name,
                                   algorithm="ecdsa")
    services.certificate_register_pkcs12(actor=admin, owner_unit=unit, password="pw",
                                         pkcs12=pki.export_pkcs12(issued, "pw",
                                                                  chain=[root.certificate]))


@pytest.fixture(name="signed_civ")
def signed_civ_fixture(civ, test_pki):
    """`civ` with the organisation certificates of both communes registered."""
    register_org_certificate(civ["commune"], test_pki.root, "UBND xã An Bình")
    register_org_certificate(civ["other"], test_pki.root, "UBND xã Hòa Bình")
    return civ


def birth(civ, registrar_key: str = "registrar"):
    born = timezone.localdate() - dt.timedelta(days=3)
    return records.register_birth(
        actor=civ[registrar_key],
        child={"full_name": "Nguyễn Thị Ánh Tuyết", "sex": "female",
               "birth_date": born.isoformat(), "personal_id": "036326004321",
               "birth_place": "Trạm y tế xã An Bình, tỉnh Thử Nghiệm",
               "hometown": "Xã Đông Hưng, tỉnh Thái Bình", "ethnicity": "Kinh",
               "nationality": "Việt Nam"},
        mother={"full_name": "Trần Thị Bích Ngọc", "sex": "female",
                "birth_date": years_ago(27).isoformat(), "ethnicity": "Tày",
                "nationality": "Việt Nam", "residence": "Thôn Đồng Lạc, xã An Bình"},
        father={"full_name": "Nguyễn Văn Đức", "sex": "male",
                "birth_date": years_ago(30).isoformat(), "ethnicity": "Kinh",
                "nationality": "Việt Nam", "residence": "Thôn Đồng Lạc, xã An Bình"})


def marriage(civ):
    return records.register_marriage(
        actor=civ["registrar"],
        husband={"full_name": "Lê Quang Hưng", "sex": "male",
                 "birth_date": years_ago(28).isoformat(), "personal_id": "036098001234",
                 "residence": "Xóm Chợ, xã An Bình"},
        wife={"full_name": "Phạm Thị Thùy Dương", "sex": "female",
              "birth_date": years_ago(25).isoformat(), "personal_id": "036301004567",
              "residence": "Xóm Đình, xã An Bình"})


def death(civ):
    died = timezone.localdate() - dt.timedelta(days=2)
    return records.register_death(
        actor=civ["registrar"], death_date=died.isoformat(),
        person={"full_name": "Hoàng Văn Cường", "sex": "male",
                "birth_date": years_ago(80).isoformat(), "residence": "Xóm Chợ, xã An Bình"},
        details={"death_place": "Tại nhà riêng", "cause": "Già yếu"})


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True,
                         text=True).stdout
    return [line for line in out.splitlines() if line]
