"""The demo desk's dossiers (egov.onestop.demo), made through the real services in the states a
commune centre sees every day. Fictional applicants; every name says "(mẫu)"."""

from __future__ import annotations

from .services import intake, processing


def _applicant(n: int) -> dict:
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
             "Vũ Thị Giang", "Đỗ Văn Hải", "Bùi Thị Lan", "Đặng Văn Minh", "Ngô Thị Nga",
             "Dương Văn Phúc", "Lý Thị Quyên"]
    return {"kind": "person", "full_name": f"{names[n % len(names)]} (mẫu)",
            "personal_id": f"0010990{n:05d}", "phone": f"09120{n:05d}",
            "email": f"nguoidan{n}@demo.egov.localhost",
            "address": f"Thôn {n + 1}, xã An Phú, tỉnh Minh Phong (mẫu)"}


def load_dossiers(*, centre, commune, users, procedures) -> int:
    """About ten dossiers: received, same-day, incomplete (Mẫu 02), refused (Mẫu 03), by post,
    at each step, waiting for a supplement, supplemented, resolved, returned, withdrawn."""
    desk, officer, leader = users["motcuaxa"], users["chuyenvienxa"], users["lanhdaoxa"]
    main, quick = procedures[0], procedures[1]
    made = 0

    def take(proc, n, *, complete=True, channel="counter", refuse=""):
        nonlocal made
        version_components = list(proc.versions.order_by("-effective_from", "-number")
                                  .first().components.all())
        comps = [{"code": c.code, "provided": complete or not c.required}
                 for c in version_components]
        result = intake.dossier_intake(
            actor=desk, agency=centre, procedure_code=proc.code, applicant=_applicant(n),
            components=comps, channel=channel, refuse_reason=refuse,
            request_content="Đề nghị giải quyết theo quy định (mẫu)")
        made += 1
        return result.dossier.code

    take(main, 1)                                   # received, waiting to be forwarded
    take(quick, 2)                                  # same-day procedure, received
    take(main, 3, complete=False)                   # incomplete: Mẫu 02
    take(main, 4, refuse="Hồ sơ không thuộc thẩm quyền giải quyết của xã (mẫu)")  # Mẫu 03
    take(main, 5, channel="post")                   # by post, received

    code = take(main, 6)                            # at the specialist's step
    processing.dossier_forward(actor=desk, code=code)

    code = take(main, 7)                            # at the leader's step
    processing.dossier_forward(actor=desk, code=code)
    processing.dossier_forward(actor=officer, code=code, note="Hồ sơ hợp lệ (mẫu)")

    code = take(main, 8)                            # waiting for the applicant's supplement
    processing.dossier_forward(actor=desk, code=code)
    processing.dossier_request_supplement(
        actor=officer, code=code, items=["Bản sao giấy tờ chứng minh nơi cư trú (mẫu)"],
        reason="Thiếu giấy tờ chứng minh (mẫu)")

    code = take(main, 9)                            # supplemented, processing again
    processing.dossier_forward(actor=desk, code=code)
    processing.dossier_request_supplement(actor=officer, code=code,
                                          items=["Tờ khai ký đầy đủ (mẫu)"],
                                          reason="Tờ khai chưa ký (mẫu)")
    processing.dossier_supplement_received(actor=desk, code=code, note="Đã nhận bổ sung (mẫu)")

    for n, returned in ((10, False), (11, True)):   # result ready; result returned
        code = take(main, n)
        processing.dossier_forward(actor=desk, code=code)
        processing.dossier_forward(actor=officer, code=code)
        processing.dossier_resolve(actor=leader, code=code, medium="paper",
                                   number=f"{n}/GXN-UBND (mẫu)", note="Kết quả giấy (mẫu)")
        if returned:
            processing.dossier_return(actor=desk, code=code, via="counter")

    code = take(main, 12)                           # withdrawn at the applicant's request
    processing.dossier_withdraw(actor=desk, code=code, reason="Người dân xin rút hồ sơ (mẫu)")
    return made
