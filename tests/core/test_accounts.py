from core.models import Role
from tests.factories import PASSWORD


def test_login_redirects_single_municipality_user_to_overview(client, municipality, member_factory):
    member_factory(municipality, Role.VIEWER, username="leser")
    response = client.post("/accounts/login/", {"username": "leser", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/kommunen/musterstadt/"
    assert "Musterstadt" in response.content.decode()


def test_brute_force_locks_out_after_five_failures(client, municipality, member_factory):
    member_factory(municipality, Role.VIEWER, username="leser")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "leser", "password": "falsch"})
    # Even the right password is refused while locked out.
    response = client.post("/accounts/login/", {"username": "leser", "password": PASSWORD})
    assert response.status_code == 429
    assert "Vorübergehend gesperrt" in response.content.decode()


def test_logout_needs_post_and_csrf(municipality, planner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(planner)
    assert strict.post("/accounts/logout/").status_code == 403  # no CSRF token


def test_password_reset_sends_mail(client, planner, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    client.post("/accounts/password_reset/", {"email": planner.email})
    assert len(mail.outbox) == 1
    assert planner.email in mail.outbox[0].to
    assert "/accounts/reset/" in mail.outbox[0].body


def test_english_switch(client, planner, municipality):
    client.force_login(planner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(municipality.get_absolute_url())
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_german_is_default(client, planner, municipality):
    client.force_login(planner)
    response = client.get(municipality.get_absolute_url())
    assert response.headers["Content-Language"] == "de"
    assert "Übersicht" in response.content.decode()
