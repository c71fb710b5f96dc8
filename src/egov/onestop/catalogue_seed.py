"""The starting procedure catalogue of a commune centre and a provincial centre (data migration
0003 and the demo; tests call `seed_catalogue()` after a flush).

Law as data, with its source. Codes of services.md §1.5 (confirmed in several public code bases)
unless a note says otherwise. Where a time limit, a fee or a code could not be confirmed from
a text available to us, the `note` of the entry says so and the `legal_basis` repeats it: an
administrator checks it against the province's decision publishing the catalogue (quyết định
công bố danh mục TTHC) before going live. The internal steps (quy trình nội bộ) are set by the
province for each procedure; the split used here (officer → leader → desk) is this catalogue's
proposal, not a legal text.

`next_day_after_cutoff` is set only where a text says that a receipt after 15:00 gives the
result (or starts the clock) the next working day (services.md §1.6, §4): Luật Hộ tịch 2014
Điều 5.3 for civil-status matters solved the same day; NĐ 23/2015/NĐ-CP Điều 7 for chứng thực.

Idempotent: a procedure is found by its code (get_or_create); a version by (procedure, number);
components, steps and code-history rows are only added to a version or a procedure this seed
created, so an administrator's later edits are never overwritten.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

D = dt.date
TWO_TIER = D(2025, 7, 1)  # NĐ 120/2025/NĐ-CP: commune takes over district tasks (services.md §3.1)
LHT_IN_FORCE = D(2016, 1, 1)  # Luật Hộ tịch 60/2014/QH13

HT = "Hộ tịch"
CT = "Chứng thực"
CT_FIELD = "Đăng ký, quản lý cư trú"
BTXH = "Bảo trợ xã hội"
DD = "Đất đai"

LHT = "Luật Hộ tịch số 60/2014/QH13"
ND123 = "Nghị định số 123/2015/NĐ-CP (sửa đổi bởi NĐ 87/2020, 104/2022, 07/2025, 18/2026)"
ND120 = "Nghị định số 120/2025/NĐ-CP (phân định thẩm quyền lĩnh vực tư pháp, từ 01/7/2025)"
TT04 = "Thông tư số 04/2020/TT-BTP (sửa đổi bởi TT 09/2022, TT 04/2024)"
ND23 = "Nghị định số 23/2015/NĐ-CP về chứng thực (sửa đổi bởi NĐ 07/2025)"
LCT = "Luật Cư trú số 68/2020/QH14; Nghị định số 154/2024/NĐ-CP; Thông tư số 55/2021/TT-BCA"
TT75 = "Thông tư số 75/2022/TT-BTC (lệ phí đăng ký cư trú)"
FEE_PROVINCE = ("mức do Hội đồng nhân dân cấp tỉnh quyết định (Thông tư số 85/2019/TT-BTC); "
                "kiểm tra nghị quyết của tỉnh")
UNVERIFIED = "CHƯA KIỂM CHỨNG"

DESK = "onestop_officer"
OFFICER = "officer"
LEADER = "leader"


def default_steps(days: int, *, officer: str = "Công chức chuyên môn thẩm định, trình ký",
                  leader: str = "Lãnh đạo phê duyệt, ký kết quả") -> list[dict]:
    """Officer → leader → desk, with shares (working days) summing to `days` (0 = same day)."""
    total = Decimal(days)
    if days == 0:
        shares = (Decimal(0), Decimal(0), Decimal(0))
    elif days == 1:
        shares = (Decimal("0.5"), Decimal("0.25"), Decimal("0.25"))
    else:
        shares = (total - 1, Decimal("0.5"), Decimal("0.5"))
    return [
        {"name": officer, "role": OFFICER, "days": shares[0]},
        {"name": leader, "role": LEADER, "days": shares[1]},
        {"name": "Vào sổ, đóng dấu, chuyển kết quả về Bộ phận Một cửa", "role": DESK,
         "days": shares[2]},
    ]


def _c(code, name, *, count=1, kind="original", required=True, form=""):
    return {"code": code, "name": name, "count": count, "copy_kind": kind,
            "required": required, "form_name": form}


CCCD = "Căn cước / Căn cước công dân hoặc giấy tờ tùy thân của người yêu cầu (xuất trình)"

# Each entry: one procedure with its versions (oldest first). Version keys mirror
# ProcedureVersion; `components`, `steps`, `fees` as in the model. `old_codes`: code history.
CATALOGUE: list[dict] = [
    {
        "code": "1.001193", "name": "Đăng ký khai sinh", "level": "commune",
        "versions": [{
            "field": HT, "processing_days": 0, "same_day": True, "next_day_after_cutoff": True,
            "online_level": "full", "result_type": "Giấy khai sinh (bản chính), số định danh "
            "cá nhân được cấp khi đăng ký",
            "legal_basis": f"{LHT}, Điều 5.3 (giải quyết ngay trong ngày; nhận sau 15 giờ thì "
            f"trả kết quả trong ngày làm việc tiếp theo), Điều 11 (miễn lệ phí khai sinh đúng "
            f"hạn), Điều 16; {ND123}; {TT04}; {ND120}",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí đăng ký khai sinh đúng hạn", "amount": 0,
                      "note": "Miễn (Luật Hộ tịch Điều 11.1.b)"},
                     {"name": "Lệ phí đăng ký khai sinh quá hạn", "amount": None,
                      "note": FEE_PROVINCE}],
            "components": [
                _c("TK", "Tờ khai đăng ký khai sinh", form="Tờ khai đăng ký khai sinh "
                   "(TT 04/2024/TT-BTP)"),
                _c("GCS", "Giấy chứng sinh hoặc văn bản của người làm chứng / giấy cam đoan "
                   "về việc sinh"),
                _c("UQ", "Văn bản ủy quyền (nếu nộp thay)", required=False),
                _c("ID", CCCD, kind="presented"),
            ],
        }],
    },
    {
        "code": "1.000894", "name": "Đăng ký kết hôn", "level": "commune",
        "versions": [{
            "field": HT, "processing_days": 0, "same_day": True, "next_day_after_cutoff": True,
            "online_level": "partial", "result_type": "Giấy chứng nhận kết hôn",
            "legal_basis": f"{LHT}, Điều 5.3, Điều 11, Điều 18 (cần xác minh: không quá 05 ngày "
            f"làm việc; hai bên có mặt khi trao Giấy chứng nhận); {ND123}; {TT04}",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí đăng ký kết hôn", "amount": 0,
                      "note": "Miễn cho công dân Việt Nam cư trú ở trong nước (Luật Hộ tịch "
                      "Điều 11.1.b)"}],
            "components": [
                _c("TK", "Tờ khai đăng ký kết hôn", form="Tờ khai đăng ký kết hôn"),
                _c("XNHN", "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký tại nơi không thường "
                   "trú)", required=False),
                _c("ID", "Giấy tờ tùy thân của hai bên nam, nữ (xuất trình)", kind="presented",
                   count=2),
            ],
        }],
    },
    {
        "code": "1.000656", "name": "Đăng ký khai tử", "level": "commune",
        "versions": [{
            "field": HT, "processing_days": 0, "same_day": True, "next_day_after_cutoff": True,
            "online_level": "full", "result_type": "Trích lục khai tử (bản chính)",
            "legal_basis": f"{LHT}, Điều 5.3, Điều 11 (miễn lệ phí khai tử đúng hạn), Điều 33, "
            f"34; {ND123}; {TT04}",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí đăng ký khai tử đúng hạn", "amount": 0,
                      "note": "Miễn (Luật Hộ tịch Điều 11.1.b)"}],
            "components": [
                _c("TK", "Tờ khai đăng ký khai tử", form="Tờ khai đăng ký khai tử"),
                _c("GBT", "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử"),
                _c("ID", CCCD, kind="presented"),
            ],
        }],
    },
    {
        # Code re-issued: 1.003559 → 1.004873 (services.md §1.5; one public mapping). The date of
        # the re-issue is not known: the history below closes the old code where this
        # catalogue's first version starts.
        "code": "1.004873", "name": "Cấp Giấy xác nhận tình trạng hôn nhân", "level": "commune",
        "old_codes": [{"code": "1.003559", "valid_from": LHT_IN_FORCE,
                       "valid_to": TWO_TIER - dt.timedelta(days=1),
                       "note": "Mã cũ (services.md §1.5); ngày đổi mã " + UNVERIFIED}],
        "code_from": TWO_TIER,
        "versions": [
            {
                "field": HT, "processing_days": 3, "same_day": False,
                "online_level": "full", "result_type": "Giấy xác nhận tình trạng hôn nhân "
                "(giá trị 06 tháng)",
                "legal_basis": f"{ND123}, Điều 22, 23 (03 ngày làm việc; cần xác minh thì cơ "
                f"quan được hỏi trả lời trong 03 ngày làm việc); {TT04}",
                "effective_from": LHT_IN_FORCE, "effective_to": D(2025, 6, 30),
                "fees": [{"name": "Lệ phí", "amount": None, "note": FEE_PROVINCE}],
                "components": [
                    _c("TK", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                       form="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"),
                    _c("ID", CCCD, kind="presented"),
                ],
            },
            {
                "field": HT, "processing_days": 3, "same_day": False,
                "online_level": "full", "result_type": "Giấy xác nhận tình trạng hôn nhân "
                "(giá trị 06 tháng)",
                "legal_basis": f"{ND123}, Điều 22, 23 (sửa đổi bởi NĐ 07/2025; thay đổi của "
                f"NĐ 18/2026 {UNVERIFIED}); {TT04}; {ND120}",
                "effective_from": TWO_TIER,
                "fees": [{"name": "Lệ phí", "amount": None, "note": FEE_PROVINCE}],
                "components": [
                    _c("TK", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                       form="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"),
                    _c("LH", "Giấy tờ chứng minh việc ly hôn / người kia đã chết (nếu có)",
                       kind="copy", required=False),
                    _c("ID", CCCD, kind="presented"),
                ],
            },
        ],
    },
    {
        "code": "2.000806", "name": "Đăng ký kết hôn có yếu tố nước ngoài", "level": "commune",
        "versions": [{
            "field": HT, "processing_days": 5, "same_day": False,
            "online_level": "partial", "result_type": "Giấy chứng nhận kết hôn",
            "legal_basis": f"{ND120}, Phụ lục mục I.1.b (05 ngày làm việc; cần xác minh không "
            f"quá 10 ngày làm việc; áp dụng đến 01/3/2027); {LHT}, Điều 37, 38; {ND123}",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí đăng ký kết hôn có yếu tố nước ngoài", "amount": None,
                      "note": FEE_PROVINCE}],
            "components": [
                _c("TK", "Tờ khai đăng ký kết hôn", form="Tờ khai đăng ký kết hôn", count=2),
                _c("XNHN", "Giấy tờ chứng minh tình trạng hôn nhân của người nước ngoài "
                   "(hợp pháp hóa lãnh sự, dịch chứng thực)", kind="certified_copy"),
                _c("YT", "Giấy xác nhận của tổ chức y tế: không mắc bệnh tâm thần hoặc bệnh "
                   "khác mà không có khả năng nhận thức, làm chủ hành vi"),
                _c("HC", "Hộ chiếu hoặc giấy tờ thay thế của người nước ngoài (bản sao)",
                   kind="copy"),
            ],
        }],
    },
    {
        "code": "1.000419", "name": "Đăng ký khai tử lưu động", "level": "commune",
        "note": "Thời hạn " + UNVERIFIED,
        "versions": [{
            "field": HT, "processing_days": 0, "same_day": True, "next_day_after_cutoff": False,
            "online_level": "none", "result_type": "Trích lục khai tử (bản chính)",
            "legal_basis": f"{TT04} (đăng ký hộ tịch lưu động); {LHT}, Điều 33, 34. Thời hạn "
            f"giải quyết của đăng ký lưu động {UNVERIFIED}: ghi \"trong ngày\" theo đăng ký "
            f"khai tử, cần kiểm tra quyết định công bố của tỉnh",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí", "amount": 0, "note": "Miễn (Luật Hộ tịch Điều 11.1.b)"}],
            "components": [
                _c("TK", "Tờ khai đăng ký khai tử", form="Tờ khai đăng ký khai tử"),
                _c("GBT", "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử"),
            ],
        }],
    },
    {
        "code": "2.001263", "name": "Đăng ký việc nuôi con nuôi trong nước", "level": "commune",
        "versions": [{
            "field": "Nuôi con nuôi", "processing_days": 30, "same_day": False,
            "online_level": "partial", "result_type": "Giấy chứng nhận nuôi con nuôi",
            "legal_basis": "Luật Nuôi con nuôi số 52/2010/QH12, Điều 17–22 (Điều 19: 30 ngày kể "
            "từ ngày nhận đủ hồ sơ hợp lệ — luật ghi \"ngày\", danh mục này tính ngày làm việc: "
            f"{UNVERIFIED}); Nghị định số 19/2011/NĐ-CP (sửa đổi bởi NĐ 24/2019)",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí đăng ký nuôi con nuôi trong nước", "amount": 400000,
                      "note": "Nghị định số 114/2016/NĐ-CP, Điều 5 (" + UNVERIFIED + ")"}],
            "components": [
                _c("DON", "Đơn xin nhận con nuôi", form="Đơn xin nhận con nuôi (TT 10/2020/"
                   "TT-BTP)"),
                _c("LLTP", "Phiếu lý lịch tư pháp của người nhận con nuôi"),
                _c("XNHN", "Văn bản xác nhận tình trạng hôn nhân của người nhận con nuôi"),
                _c("SK", "Giấy khám sức khỏe của người nhận con nuôi"),
                _c("KS", "Giấy khai sinh của người được nhận làm con nuôi", kind="copy"),
                _c("ID", CCCD, kind="presented"),
            ],
        }],
    },
    {
        # services.md §1.5: code confirmed in one public source only.
        "code": "1.004859", "name": "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "level": "commune", "note": "Mã chỉ thấy ở một nguồn công khai (services.md §1.5)",
        "versions": [{
            "field": HT, "processing_days": 3, "same_day": False,
            "online_level": "full", "result_type": "Trích lục thay đổi, cải chính, bổ sung "
            "thông tin hộ tịch",
            "legal_basis": f"{LHT}, Điều 27, 28 (03 ngày làm việc; cần xác minh kéo dài không "
            f"quá 03 ngày làm việc; bổ sung thông tin giải quyết ngay trong ngày); {ND123}; "
            f"{TT04}. Mã thủ tục chỉ thấy ở một nguồn công khai ({UNVERIFIED})",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí", "amount": None, "note": FEE_PROVINCE}],
            "components": [
                _c("TK", "Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
                   form="Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch"),
                _c("GT", "Giấy tờ làm căn cứ thay đổi, cải chính, bổ sung", kind="copy"),
                _c("ID", CCCD, kind="presented"),
            ],
        }],
    },
    {
        "code": "2.000635", "name": "Cấp bản sao trích lục hộ tịch", "level": "commune",
        "versions": [{
            "field": HT, "processing_days": 0, "same_day": True, "next_day_after_cutoff": True,
            "online_level": "full", "result_type": "Bản sao trích lục hộ tịch",
            "legal_basis": f"{LHT}, Điều 5.3, Điều 62–64; {ND123}; Nghị định số 87/2020/NĐ-CP",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Phí cấp bản sao trích lục hộ tịch", "amount": 8000,
                      "note": "đồng/bản sao (Thông tư số 281/2016/TT-BTC; " + UNVERIFIED
                      + " cho cấp xã)"}],
            "components": [
                _c("TK", "Tờ khai cấp bản sao trích lục hộ tịch",
                   form="Tờ khai cấp bản sao trích lục hộ tịch"),
                _c("UQ", "Văn bản ủy quyền (nếu yêu cầu thay)", required=False),
                _c("ID", CCCD, kind="presented"),
            ],
        }],
    },
    {
        "code": "2.000815", "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan "
        "có thẩm quyền của Việt Nam cấp hoặc chứng nhận", "level": "commune",
        "versions": [{
            "field": CT, "processing_days": 0, "same_day": True, "next_day_after_cutoff": True,
            "online_level": "partial", "result_type": "Bản sao được chứng thực từ bản chính",
            "legal_basis": f"{ND23}, Điều 5; Điều 7 (giải quyết ngay trong ngày; tiếp nhận sau 15 "
            f"giờ thì trong ngày làm việc tiếp theo), Điều 18, 20; Thông tư số 226/2016/TT-BTC",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Phí chứng thực bản sao từ bản chính", "amount": 2000,
                      "note": "đồng/trang; từ trang thứ ba 1.000 đồng/trang, tối đa 200.000 "
                      "đồng/bản (TT 226/2016/TT-BTC)"}],
            "components": [
                _c("BC", "Bản chính giấy tờ, văn bản làm cơ sở chứng thực bản sao",
                   kind="presented"),
                _c("BS", "Bản sao cần chứng thực (nếu người yêu cầu tự chụp)", kind="copy",
                   required=False),
            ],
        }],
    },
    {
        "code": "2.000884", "name": "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "level": "commune",
        "versions": [{
            "field": CT, "processing_days": 0, "same_day": True, "next_day_after_cutoff": True,
            "online_level": "none", "result_type": "Giấy tờ, văn bản được chứng thực chữ ký",
            "legal_basis": f"{ND23}, Điều 5; Điều 7 (trong ngày; sau 15 giờ thì ngày làm việc "
            f"tiếp theo); Điều 24 (ký trước mặt người thực hiện "
            f"chứng thực); Thông tư số 226/2016/TT-BTC",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Phí chứng thực chữ ký", "amount": 10000,
                      "note": "đồng/trường hợp (TT 226/2016/TT-BTC)"}],
            "components": [
                _c("VB", "Giấy tờ, văn bản sẽ ký"),
                _c("ID", CCCD, kind="presented"),
            ],
        }],
    },
    {
        "code": "1.004194", "name": "Đăng ký tạm trú", "level": "commune",
        "versions": [{
            "field": CT_FIELD, "processing_days": 3, "same_day": False,
            "competent_body": "Công an cấp xã",
            "online_level": "full", "result_type": "Thông báo kết quả đăng ký tạm trú; cập "
            "nhật Cơ sở dữ liệu về cư trú",
            "legal_basis": f"{LCT}; Luật Cư trú Điều 28.3 (03 ngày làm việc)",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí đăng ký tạm trú", "amount": 15000,
                      "note": "đồng/lần; nộp trực tuyến 7.000 đồng (" + TT75 + "; "
                      + UNVERIFIED + ")"}],
            "components": [
                _c("CT01", "Tờ khai thay đổi thông tin cư trú", form="Mẫu CT01"),
                _c("CHO", "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", kind="copy"),
            ],
        }],
    },
    {
        "code": "1.010038", "name": "Tách hộ", "level": "commune",
        "versions": [{
            "field": CT_FIELD, "processing_days": 5, "same_day": False,
            "competent_body": "Công an cấp xã",
            "online_level": "full", "result_type": "Thông báo kết quả tách hộ; cập nhật Cơ sở "
            "dữ liệu về cư trú",
            "legal_basis": f"{LCT}; Luật Cư trú Điều 25 (05 ngày làm việc; {UNVERIFIED})",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí tách hộ", "amount": 10000,
                      "note": "đồng/lần; nộp trực tuyến 5.000 đồng (" + TT75 + "; "
                      + UNVERIFIED + ")"}],
            "components": [
                _c("CT01", "Tờ khai thay đổi thông tin cư trú (có ý kiến đồng ý của chủ hộ, "
                   "chủ sở hữu chỗ ở)", form="Mẫu CT01"),
            ],
        }],
    },
    {
        # Code seen in public code bases that link the DVCQG page (maThuTuc=1.001776); time
        # limit and components from NĐ 20/2021 as cited there.
        "code": "1.001776", "name": "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng "
        "tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hàng tháng", "level": "commune",
        "note": "Mã thấy trong mã nguồn công khai dẫn tới trang DVCQG; thời hạn " + UNVERIFIED,
        "versions": [{
            "field": BTXH, "processing_days": 7, "same_day": False,
            "online_level": "partial", "result_type": "Quyết định trợ cấp xã hội hàng tháng "
            "của Chủ tịch Ủy ban nhân dân cấp xã",
            "legal_basis": "Nghị định số 20/2021/NĐ-CP (sửa đổi bởi NĐ 76/2024); Nghị định số "
            "176/2025/NĐ-CP. Thời hạn 07 ngày làm việc theo tài liệu hướng dẫn công khai, "
            f"{UNVERIFIED}: kiểm tra quyết định công bố của tỉnh",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Không thu phí, lệ phí", "amount": 0, "note": ""}],
            "components": [
                _c("TK", "Tờ khai đề nghị trợ giúp xã hội (Mẫu 1a–1đ) hoặc tờ khai nhận chăm "
                   "sóc, nuôi dưỡng (Mẫu 2a, 2b, 03)", form="Mẫu 1a–1đ, 2a, 2b, 03 "
                   "(NĐ 20/2021/NĐ-CP)"),
                _c("KT", "Giấy xác nhận khuyết tật (đối với người khuyết tật)", kind="copy",
                   required=False),
                _c("ID", CCCD, kind="presented"),
            ],
        }],
    },
    {
        "code": "1.001731", "name": "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "level": "commune",
        "note": "Mã thấy trong mã nguồn công khai dẫn tới trang DVCQG; thời hạn " + UNVERIFIED,
        "versions": [{
            "field": BTXH, "processing_days": 3, "same_day": False,
            "online_level": "full", "result_type": "Quyết định hỗ trợ chi phí mai táng",
            "legal_basis": "Nghị định số 20/2021/NĐ-CP, Điều 11; Nghị định số 176/2025/NĐ-CP "
            f"(Mẫu số 02). Thời hạn 03 ngày làm việc {UNVERIFIED}",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Không thu phí, lệ phí", "amount": 0, "note": ""}],
            "components": [
                _c("TK", "Tờ khai đề nghị hỗ trợ chi phí mai táng", form="Mẫu số 02 "
                   "(NĐ 176/2025/NĐ-CP)"),
                _c("KT", "Giấy chứng tử hoặc trích lục khai tử", kind="copy"),
            ],
        }],
    },
    {
        # Provincial centre. Code seen in one public demo code base only.
        "code": "2.001458", "name": "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản "
        "gắn liền với đất (chuyển nhượng, thừa kế, tặng cho)", "level": "province",
        "note": "Mã chỉ thấy trong một mã nguồn công khai: " + UNVERIFIED,
        "versions": [{
            "field": DD, "processing_days": 10, "same_day": False,
            "competent_body": "Văn phòng đăng ký đất đai thuộc Sở Nông nghiệp và Môi trường",
            "online_level": "partial", "result_type": "Giấy chứng nhận quyền sử dụng đất, "
            "quyền sở hữu tài sản gắn liền với đất (cấp mới hoặc xác nhận thay đổi)",
            "legal_basis": "Luật Đất đai số 31/2024/QH15, Điều 133; Nghị định số "
            "101/2024/NĐ-CP; Nghị định số 151/2025/NĐ-CP. Mã thủ tục và thời hạn 10 ngày làm "
            f"việc {UNVERIFIED}: kiểm tra quyết định công bố của tỉnh",
            "effective_from": TWO_TIER,
            "fees": [{"name": "Lệ phí cấp Giấy chứng nhận", "amount": None, "note": FEE_PROVINCE},
                     {"name": "Phí thẩm định hồ sơ", "amount": None, "note": FEE_PROVINCE}],
            "components": [
                _c("DON", "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất",
                   form="Mẫu số 11/ĐK (NĐ 151/2025/NĐ-CP; " + UNVERIFIED + ")"),
                _c("GCN", "Giấy chứng nhận đã cấp (bản gốc)"),
                _c("HD", "Hợp đồng, văn bản chuyển nhượng, tặng cho, văn bản thừa kế "
                   "(công chứng, chứng thực)"),
                _c("ID", CCCD, kind="presented"),
            ],
            "steps": [
                {"name": "Văn phòng đăng ký đất đai kiểm tra, cập nhật hồ sơ địa chính",
                 "role": OFFICER, "days": Decimal(7)},
                {"name": "Chuyển thông tin xác định nghĩa vụ tài chính, nhận chứng từ",
                 "role": OFFICER, "days": Decimal(1)},
                {"name": "Lãnh đạo ký, cấp hoặc xác nhận Giấy chứng nhận", "role": LEADER,
                 "days": Decimal(1)},
                {"name": "Chuyển kết quả về Trung tâm Phục vụ hành chính công", "role": DESK,
                 "days": Decimal(1)},
            ],
        }],
    },
]


def _models(apps):
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    return (apps.get_model("onestop", "Procedure"), apps.get_model("onestop", "ProcedureCode"),
            apps.get_model("onestop", "ProcedureVersion"),
            apps.get_model("onestop", "ProcedureComponent"),
            apps.get_model("onestop", "ProcedureStep"))


def seed_catalogue(apps=None, *, entries: list[dict] | None = None) -> dict:
    """Create the catalogue's procedures that do not exist yet (by code); returns counts.
    `apps`: the migration's app registry (None = the real models)."""
    Procedure, ProcedureCode, ProcedureVersion, Component, Step = _models(apps)
    counts = {"procedures": 0, "versions": 0}
    for entry in entries if entries is not None else CATALOGUE:
        proc, created = Procedure.objects.get_or_create(
            code=entry["code"], defaults={"name": entry["name"], "level": entry["level"]})
        if not created and ProcedureCode.objects.filter(procedure=proc).exists():
            continue  # seeded before (or imported): leave the administrator's data alone
        counts["procedures"] += int(created)
        versions = entry["versions"]
        first_from = versions[0]["effective_from"]
        for old in entry.get("old_codes", []):
            ProcedureCode.objects.get_or_create(
                code=old["code"], valid_from=old["valid_from"],
                defaults={"procedure": proc, "valid_to": old.get("valid_to"),
                          "note": old.get("note", "")})
        ProcedureCode.objects.get_or_create(
            code=proc.code, valid_from=entry.get("code_from", first_from),
            defaults={"procedure": proc, "note": entry.get("note", "")[:255]})
        for number, v in enumerate(versions, start=1):
            version, made = ProcedureVersion.objects.get_or_create(
                procedure=proc, number=number,
                defaults={
                    "name": v.get("name", entry["name"]), "field_name": v["field"],
                    "level": entry["level"], "competent_body": v.get("competent_body", ""),
                    "processing_days": v["processing_days"], "same_day": v["same_day"],
                    "next_day_after_cutoff": v.get("next_day_after_cutoff", False),
                    "fees": v["fees"], "online_level": v["online_level"],
                    "result_type": v["result_type"], "legal_basis": v["legal_basis"],
                    "effective_from": v["effective_from"],
                    "effective_to": v.get("effective_to"),
                })
            if not made:
                continue
            counts["versions"] += 1
            for i, c in enumerate(v["components"], start=1):
                Component.objects.create(version=version, ordering=i, **c)
            steps = v.get("steps") or default_steps(v["processing_days"])
            for i, s in enumerate(steps, start=1):
                Step.objects.create(version=version, ordering=i, name=s["name"],
                                    role_code=s["role"], days=s["days"])
    return counts

