"""The book of copies of extracts (Sổ cấp bản sao trích lục hộ tịch; services.md §3.4): each
certified copy a commune issues takes the next number of that commune's copies book of the year
(numbering kernel: gapless under concurrency, restarting each year)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CopyEntry"]

COPIES_BOOK = "Sổ cấp bản sao trích lục hộ tịch"


class CopyEntry(models.Model):
    certificate = models.OneToOneField("civil.Certificate", on_delete=models.PROTECT,
                                       related_name="copy_entry")
    commune = models.ForeignKey("core.OrgUnit", verbose_name=_("commune"),
                                on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    book_name = models.CharField(_("book"), max_length=200, default=COPIES_BOOK)

    class Meta:
        verbose_name = _("entry of the copies book")
        verbose_name_plural = _("entries of the copies book")
        constraints = [models.UniqueConstraint(fields=["commune", "year", "number"],
                                               name="civil_copyentry_unique")]

    def __str__(self) -> str:
        return f"{self.number}/{self.year}"
