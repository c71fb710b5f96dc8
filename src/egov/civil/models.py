"""Civil status (hộ tịch): one record per person across events, the registry books, and the
registered events with their parties (services.md §3; docs/civil.md).

- `Person`: one record per person (birth → marriage → death), the name with its diacritics and
  its folded form for search, the 12-digit personal ID (never a key: it can be cancelled and
  re-issued, NĐ 70/2024 Art.11.7), links to the parents and the spouse, and the death that
  locks the record (Luật Hộ tịch Art.34.2, 60).
- `RegistryBook`: one book per commune, kind of event and year (Luật Hộ tịch Art.58), its
  entries numbered from 1 by the numbering kernel; closed at year end with its totals.
- `CivilEvent`: an event written in a book (book + entry number = "Số …, Quyển số …"), with
  `EventParty` rows naming who is who in it (child, mother, husband, …).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class EventKind(models.TextChoices):
    BIRTH = "birth", _("Birth (khai sinh)")
    DEATH = "death", _("Death (khai tử)")
    MARRIAGE = "marriage", _("Marriage (kết hôn)")
    MARITAL_STATUS = "marital_status", _("Marital-status certificate (xác nhận tình trạng hôn "
                                         "nhân)")
    RECOGNITION = "recognition", _("Recognition of parents and children (nhận cha, mẹ, con)")
    GUARDIANSHIP = "guardianship", _("Guardianship (giám hộ)")
    GUARDIANSHIP_END = "guardianship_end", _("End of guardianship (chấm dứt giám hộ)")
    CHANGE = "change", _("Change, correction, supplement (thay đổi, cải chính, bổ sung)")
    DIVORCE = "divorce", _("Divorce noted (ghi vào sổ việc ly hôn)")
    ADOPTION = "adoption", _("Adoption noted (ghi vào sổ việc nuôi con nuôi)")
    DEATH_DECLARED = "death_declared", _("Court-declared death noted (ghi vào sổ việc tuyên bố "
                                         "chết)")
    # The other noted decisions (Luật Hộ tịch 2014, Điều 3.2–3.3; services/events_decisions.py,
    # services/events_status.py).
    ADOPTION_END = "adoption_end", _("Termination of an adoption noted (ghi vào sổ việc chấm "
                                     "dứt nuôi con nuôi)")
    ANNULMENT = "annulment", _("Annulment of an unlawful marriage noted (ghi vào sổ việc hủy "
                               "việc kết hôn trái pháp luật)")
    NATIONALITY = "nationality", _("Change of nationality noted (ghi vào sổ việc thay đổi quốc "
                                   "tịch)")
    PARENTAGE = "parentage", _("Determination of parentage noted (ghi vào sổ việc xác định "
                               "cha, mẹ, con)")
    GENDER = "gender", _("Gender re-determination noted (ghi vào sổ việc xác định lại giới "
                         "tính)")
    MISSING = "missing", _("Declaration of missing status noted (ghi vào sổ việc tuyên bố mất "
                           "tích)")
    MISSING_END = "missing_end", _("Cancellation of a declaration of missing status noted (ghi "
                                   "vào sổ việc hủy tuyên bố mất tích)")
    CAPACITY = "capacity", _("Declaration of lost or limited civil capacity noted (ghi vào sổ "
                             "việc tuyên bố mất, hạn chế năng lực hành vi dân sự)")
    CAPACITY_END = "capacity_end", _("Cancellation of a declaration on civil capacity noted "
                                     "(ghi vào sổ việc hủy tuyên bố mất, hạn chế năng lực hành "
                                     "vi dân sự)")
    DEATH_UNDONE = "death_undone", _("Cancellation of a court-declared death noted (ghi vào sổ "
                                     "việc hủy tuyên bố chết)")
    ABROAD_MARRIAGE = "abroad_marriage", _("Marriage done abroad noted (ghi vào sổ việc kết hôn "
                                           "đã giải quyết ở nước ngoài)")
    ABROAD_DIVORCE = "abroad_divorce", _("Divorce or annulment done abroad noted (ghi vào sổ "
                                         "việc ly hôn, hủy việc kết hôn ở nước ngoài)")


class PartyRole(models.TextChoices):
    CHILD = "child", _("Child")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    DECEASED = "deceased", _("Deceased")
    HUSBAND = "husband", _("Husband")
    WIFE = "wife", _("Wife")
    PERSON = "person", _("Person concerned")
    GUARDIAN = "guardian", _("Guardian")
    WARD = "ward", _("Ward")
    ADOPTIVE_FATHER = "adoptive_father", _("Adoptive father")
    ADOPTIVE_MOTHER = "adoptive_mother", _("Adoptive mother")


class Person(models.Model):
    full_name = models.CharField(_("full name"), max_length=200)
    # fold(full_name): lower case, no diacritics, đ → d — the search key (core.search.fold).
    name_folded = models.CharField(max_length=200, editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_place = models.CharField(_("place of birth"), max_length=300, blank=True)
    hometown = models.CharField(_("home town (quê quán)"), max_length=300, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=50, blank=True, default="Kinh")
    nationality = models.CharField(_("nationality"), max_length=80, blank=True,
                                   default="Việt Nam")
    residence = models.CharField(_("residence"), max_length=300, blank=True)
    personal_id = models.CharField(_("personal ID"), max_length=12, null=True, blank=True,
                                   unique=True)
    # A foreign party (or a citizen settled abroad) has no personal ID: the identity document
    # shown — passport or travel document, its number — and the country that issued it (Luật
    # Hộ tịch 2014, Điều 17.2: the marriage certificate states it). Blank for citizens.
    identity_document = models.CharField(_("identity document (passport, number)"),
                                         max_length=100, blank=True)
    identity_document_country = models.CharField(_("issued by (country)"), max_length=80,
                                                 blank=True)
    father = models.ForeignKey("self", verbose_name=_("father"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children_as_father")
    mother = models.ForeignKey("self", verbose_name=_("mother"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children_as_mother")
    spouse = models.ForeignKey("self", verbose_name=_("spouse"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    # The commune whose registry holds the record (commune isolation).
    commune = models.ForeignKey("core.OrgUnit", verbose_name=_("commune"),
                                on_delete=models.PROTECT, related_name="civil_persons")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["commune", "name_folded"], name="civil_person_commune_name"),
            models.Index(fields=["name_folded", "birth_date"], name="civil_person_name_birth"),
            # Duplicate detection: births within a few days (services/duplicates.py).
            models.Index(fields=["birth_date"], name="civil_person_birth_date"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        from egov.core.search import fold

        self.full_name = " ".join((self.full_name or "").split())
        self.name_folded = fold(self.full_name)[:200]
        super().save(*args, **kwargs)

    @property
    def is_deceased(self) -> bool:
        return self.death_date is not None


class RegistryBook(models.Model):
    commune = models.ForeignKey("core.OrgUnit", verbose_name=_("commune"),
                                on_delete=models.PROTECT, related_name="civil_books")
    kind = models.CharField(_("kind of event"), max_length=16, choices=EventKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("book number (quyển số)"), default=1)
    name = models.CharField(_("name"), max_length=200)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    total_entries = models.PositiveIntegerField(_("entries at closing"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry book")
        verbose_name_plural = _("registry books")
        constraints = [models.UniqueConstraint(fields=["commune", "kind", "year", "number"],
                                               name="civil_book_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.year}, quyển số {self.number:02d}"

    @property
    def sequence_scope(self) -> str:
        return f"civil.book:{self.pk}"


# The persons an event is counted by sex for in the statistics (selectors/stats.py): the child
# of a birth (or of a recognition), the deceased of a death, both spouses of a marriage.
SUBJECT_ROLES = (PartyRole.CHILD, PartyRole.DECEASED, PartyRole.HUSBAND, PartyRole.WIFE)


class CivilEvent(models.Model):
    kind = models.CharField(_("kind of event"), max_length=16, choices=EventKind.choices)
    commune = models.ForeignKey("core.OrgUnit", verbose_name=_("commune"),
                                on_delete=models.PROTECT, related_name="civil_events")
    book = models.ForeignKey(RegistryBook, verbose_name=_("book"), on_delete=models.PROTECT,
                             related_name="events")
    entry_number = models.PositiveIntegerField(_("entry number (số)"))
    registered_on = models.DateField(_("registered on"))
    event_date = models.DateField(_("date of the event"), null=True, blank=True)
    late = models.BooleanField(_("registered late"), default=False)
    # Có yếu tố nước ngoài: a party is a foreigner (or a citizen settled abroad — the
    # registrar's flag); the event is handled under the kind's "foreign" catalogue row and
    # written in the same book as the others of its kind (Luật Hộ tịch 2014, Điều 58).
    foreign_element = models.BooleanField(_("with a foreign element"), default=False)
    registrar = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registrar"),
                                  on_delete=models.PROTECT, related_name="+")
    details = models.JSONField(_("details"), default=dict, blank=True)
    # The sexes of its subjects (SUBJECT_ROLES) as the records said when it was registered,
    # written with the event: the statistics count by sex in their one scan of the events
    # instead of joining the parties and persons (1.7 s for a province's year at 1,000,000
    # events; docs/civil.md "Statistics").
    subjects_male = models.PositiveSmallIntegerField(default=0, editable=False)
    subjects_female = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("civil-status event")
        verbose_name_plural = _("civil-status events")
        constraints = [models.UniqueConstraint(fields=["book", "entry_number"],
                                               name="civil_event_entry_unique")]
        indexes = [models.Index(fields=["commune", "kind", "registered_on"],
                                name="civil_event_commune_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} số {self.entry_number}"


class EventParty(models.Model):
    event = models.ForeignKey(CivilEvent, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    role = models.CharField(max_length=16, choices=PartyRole.choices)

    class Meta:
        verbose_name = _("party to an event")
        verbose_name_plural = _("parties to events")
        constraints = [models.UniqueConstraint(fields=["event", "role"],
                                               name="civil_party_role_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person_id}"


# The areas' tables (issue 13), each in its own file; they import from this one.
from .models_certificates import *  # noqa: E402, F401, F403
from .models_copies import *  # noqa: E402, F401, F403
from .models_events import *  # noqa: E402, F401, F403
from .models_fees import *  # noqa: E402, F401, F403
from .models_intake import *  # noqa: E402, F401, F403
from .models_sync import *  # noqa: E402, F401, F403
