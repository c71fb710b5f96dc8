"""The legal grounds an officer picks from (services.md §2.2): why a complaint cannot be accepted
(Luật Khiếu nại 02/2011 Art.11, cases 1–9), why a denunciation is not accepted (Luật Tố cáo
25/2018 Art.29.1 conditions; anonymous letters Art.25), and the complexity criteria (NĐ 31/2019
Art.3; NĐ 124/2020 Art.3a as added by NĐ 155/2026)."""

from django.utils.translation import gettext_lazy as _

COMPLAINT_GROUNDS = {
    "kn11.1": _("Art.11.1: an internal or steering act, a normative act, or a secret-classified "
                "act"),
    "kn11.2": _("Art.11.2: no direct interest of the complainant"),
    "kn11.3": _("Art.11.3: no legal capacity and no legal representative"),
    "kn11.4": _("Art.11.4: the representative is not legitimate"),
    "kn11.5": _("Art.11.5: the letter is not signed or fingerprinted"),
    "kn11.6": _("Art.11.6: the limitation period expired without a good reason"),
    "kn11.7": _("Art.11.7: a second-instance decision already exists"),
    "kn11.8": _("Art.11.8: 30 days passed after a notice terminating the complaint"),
    "kn11.9": _("Art.11.9: the matter is before a court or decided by it"),
}

DENUNCIATION_GROUNDS = {
    "tc29.form": _("Art.29.1.a: not in the required form (date, name, address, the act, the "
                   "person denounced, signature)"),
    "tc29.capacity": _("Art.29.1.b: the denouncer has no legal capacity"),
    "tc29.competence": _("Art.29.1.c: outside the competence of this body"),
    "tc29.basis": _("Art.29.1.d: not enough basis to identify the person and the act"),
    "tc25.anonymous": _("Art.25: anonymous or pseudonymous: not processed as a denunciation"),
}

GROUNDS = {"complaint": COMPLAINT_GROUNDS, "denunciation": DENUNCIATION_GROUNDS}

COMPLEXITY_CRITERIA = {
    "places": _("Verification at two or more places"),
    "contents": _("Two or more contents to verify"),
    "many_people": _("Many complainants or many people affected"),
    "foreign": _("A foreign element"),
    "bodies": _("Several managing bodies involved"),
    "disagreement": _("Disagreement among the bodies involved"),
    "evidence": _("Contradictory evidence"),
}
