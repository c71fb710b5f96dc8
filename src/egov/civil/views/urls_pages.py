"""Civil-status pages: the registrar's pages (issue 13), included by civil/urls.py."""

from django.urls import path

from . import books, identity, other_events, pages, register

urlpatterns: list = [
    path("", pages.home, name="home"),
    path("births/new/", register.birth_new, name="birth_new"),
    path("deaths/new/", register.death_new, name="death_new"),
    path("marriages/new/", register.marriage_new, name="marriage_new"),
    path("events/new/<slug:kind>/", other_events.event_new, name="event_new"),
    path("events/<int:pk>/", pages.event_detail, name="event"),
    path("persons/", pages.person_search, name="person_search"),
    path("persons/<int:pk>/", pages.person_detail, name="person"),
    path("books/", books.book_list, name="books"),
    path("books/<int:pk>/", books.book_detail, name="book"),
    path("books/<int:pk>/print/", books.book_print, name="book_print"),
    path("books/<int:pk>/close/", books.book_close, name="book_close"),
    path("officers/", identity.officer_links, name="officer_links"),
]
