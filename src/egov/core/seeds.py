"""Catalogue rows that the migrations seed, put back after a flush.

The data migrations seed catalogue rows: the roles and their grants, civil's kinds of events,
the petitions' deadline rules, the document types… `flush` (the test suite after each
transactional or live-server test, `egov flush`) empties every table and then sends
post_migrate, on which Django makes the content types and permissions again. This module does
the same for the catalogues: each app registers its seed functions (:func:`register_seed`, in
its AppConfig.ready) with the model whose table they fill, and :func:`reseed_after_flush` (a
post_migrate receiver connected by CoreConfig.ready) runs those whose table is empty — so a
flushed database holds the catalogues as a migrated one does. After a real `migrate` the
tables hold their rows and nothing runs. The seed functions take an apps registry and only add
rows that are missing (get_or_create).
"""

from __future__ import annotations

from collections.abc import Callable

# {name: (model label, seed function)}, in registration order (INSTALLED_APPS order: core's
# roles before the modules' grants of those roles).
_seeds: dict[str, tuple[str, Callable]] = {}


def register_seed(name: str, model: str, seed: Callable) -> None:
    """Register `seed(apps)`, run after a flush when the table of `model` ("app.Model") is
    empty. A name registered again replaces the earlier one."""
    _seeds[name] = (model, seed)


def seeded_models() -> set[str]:
    """The labels of the models whose tables the registered seeds fill again."""
    return {model for model, _seed in _seeds.values()}


def reseed_after_flush(sender=None, using: str = "default", apps=None, **kwargs) -> list[str]:
    """The post_migrate receiver: run each registered seed whose table exists and is empty
    (which tables are empty is read before any seed runs: the roles' seed also writes grants).
    Returns the names of the seeds run."""
    from django.apps import apps as global_apps
    from django.db import connections, transaction

    apps = apps or global_apps  # a flush sends no `apps`; migrate sends its state's
    tables = set(connections[using].introspection.table_names())
    empty: dict[str, bool] = {}
    for model_label, _seed in _seeds.values():
        if model_label in empty:
            continue
        try:
            model = apps.get_model(model_label)
        except LookupError:  # not migrated that far
            empty[model_label] = False
            continue
        empty[model_label] = (model._meta.db_table in tables
                              and not model._default_manager.using(using).exists())
    ran = []
    with transaction.atomic(using=using):  # one commit, not one per row
        for name, (model_label, seed) in list(_seeds.items()):
            if empty[model_label]:
                seed(apps)
                ran.append(name)
    return ran
