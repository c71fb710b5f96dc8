"""Legal grounds the slips cite, as data (services.md §2.2): the grounds for refusing to receive a
visitor (Mẫu 01/TCD) and the cases in which a complaint is not accepted (Mẫu 04). Callers pass
the key (`data["ground"]`, `data["case"]`); the slip prints the text with its legal basis.
Exact wording of the 2026 decree's points is UNVERIFIED (only secondary copies were read)."""

from __future__ import annotations

_ND154_4 = "khoản 1 Điều 4 Nghị định số 154/2026/NĐ-CP"

# Luật Tiếp công dân 42/2013 Art.9 (3 grounds); NĐ 154/2026 Art.4 (10 more).
REFUSAL_GROUNDS: dict[str, tuple[str, str]] = {
    "incapable": ("Người trong tình trạng say do dùng chất kích thích, người mắc bệnh tâm thần "
                  "hoặc một bệnh khác làm mất khả năng nhận thức hoặc khả năng điều khiển hành vi "
                  "của mình", "khoản 1 Điều 9 Luật Tiếp công dân"),
    "threat": ("Người có hành vi đe dọa, xúc phạm cơ quan, tổ chức, đơn vị, người tiếp công dân, "
               "người thi hành công vụ hoặc có hành vi khác vi phạm nội quy nơi tiếp công dân",
               "khoản 2 Điều 9 Luật Tiếp công dân"),
    "settled": ("Người khiếu nại, tố cáo về vụ việc đã giải quyết đúng chính sách, pháp luật, được "
                "cơ quan nhà nước có thẩm quyền kiểm tra, rà soát, thông báo bằng văn bản và đã "
                "được tiếp, giải thích, hướng dẫn nhưng vẫn cố tình khiếu nại, tố cáo kéo dài",
                "khoản 3 Điều 9 Luật Tiếp công dân"),
    "weapons": ("Người mang theo vũ khí, vật liệu nổ, công cụ hỗ trợ hoặc vật dụng nguy hiểm khác",
                _ND154_4),
    "security_check": ("Người không chấp hành việc kiểm tra an ninh tại nơi tiếp công dân",
                       _ND154_4),
    "recording": ("Người ghi âm, ghi hình trái phép tại nơi tiếp công dân", _ND154_4),
    "incitement": ("Người kích động, lôi kéo, tụ tập đông người gây mất trật tự tại nơi tiếp "
                   "công dân", _ND154_4),
    "no_capacity": ("Người không có năng lực hành vi dân sự đầy đủ mà không có người đại diện hợp "
                    "pháp", _ND154_4),
    "no_proof": ("Người đại diện, người được ủy quyền không có giấy tờ chứng minh tính hợp pháp "
                 "của việc đại diện, ủy quyền", _ND154_4),
    "out_of_scope": ("Nội dung trình bày không thuộc phạm vi khiếu nại, tố cáo, kiến nghị, phản "
                     "ánh", _ND154_4),
    "answered": ("Kiến nghị, phản ánh đã được trả lời, không có tình tiết mới", _ND154_4),
    "court_final": ("Vụ việc đã có bản án, quyết định của Tòa án có hiệu lực pháp luật",
                    _ND154_4),
    "elsewhere": ("Vụ việc đang được cơ quan có thẩm quyền khác xem xét, giải quyết", _ND154_4),
}

# Luật Khiếu nại 02/2011 Art.11: the complaints that are not accepted (9 cases).
NOT_ACCEPTED_CASES: dict[int, str] = {
    1: "Quyết định hành chính, hành vi hành chính trong nội bộ cơ quan nhà nước để chỉ đạo, tổ "
       "chức thực hiện nhiệm vụ, công vụ; quyết định hành chính, hành vi hành chính trong chỉ "
       "đạo điều hành của cơ quan hành chính cấp trên với cơ quan hành chính cấp dưới; quyết định "
       "hành chính có chứa đựng các quy phạm pháp luật; quyết định hành chính, hành vi hành chính "
       "thuộc phạm vi bí mật nhà nước",
    2: "Quyết định hành chính, hành vi hành chính bị khiếu nại không liên quan trực tiếp đến "
       "quyền, lợi ích hợp pháp của người khiếu nại",
    3: "Người khiếu nại không có năng lực hành vi dân sự đầy đủ mà không có người đại diện hợp "
       "pháp",
    4: "Người đại diện không hợp pháp thực hiện khiếu nại",
    5: "Đơn khiếu nại không có chữ ký hoặc điểm chỉ của người khiếu nại",
    6: "Thời hiệu, thời hạn khiếu nại đã hết mà không có lý do chính đáng",
    7: "Khiếu nại đã có quyết định giải quyết khiếu nại lần hai",
    8: "Có văn bản thông báo đình chỉ việc giải quyết khiếu nại mà sau 30 ngày người khiếu nại "
       "không tiếp tục khiếu nại",
    9: "Việc khiếu nại đã được Tòa án thụ lý hoặc đã được giải quyết bằng bản án, quyết định của "
       "Tòa án, trừ quyết định đình chỉ giải quyết vụ án hành chính của Tòa án",
}


def refusal_ground(key: str) -> dict[str, str]:
    text, basis = REFUSAL_GROUNDS.get(key or "", ("", ""))
    return {"text": text, "basis": basis}


def not_accepted_case(case) -> dict:
    try:
        n = int(case)
    except (TypeError, ValueError):
        return {"number": None, "text": ""}
    return {"number": n, "text": NOT_ACCEPTED_CASES.get(n, "")}
