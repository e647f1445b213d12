"""English and Hindi (GIGW 3.0): Flask-Babel with the gettext catalogues of webapp/translations.

English is the source language (the msgids); Hindi is `translations/hi`. The reader's
language is the account's stored choice when signed in, else the browser session's, else
English. Numbers and dates are formatted for India in both (`en_IN`, `hi_IN`), in India
Standard Time. The JSON API stays English whoever calls it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from flask import session as cookie
from flask_babel import Babel, get_locale, get_translations

from engine.i18n import Message, Text
from engine.models import User
from webapp.ui.identity import LANGUAGE_KEY, current_user

LANGUAGES: dict[str, str] = {"en": "English", "hi": "हिन्दी"}
DEFAULT_LANGUAGE = "en"
FORMAT_LOCALES: dict[str, str] = {"en": "en_IN", "hi": "hi_IN"}
TIME_ZONE = "Asia/Kolkata"

babel = Babel()


def language() -> str:
    """The reader's language code ("en" or "hi"): account, then session, then English."""
    if request.path.startswith("/api/"):
        return DEFAULT_LANGUAGE
    user = current_user()
    if user is not None and user.language in LANGUAGES:
        return user.language
    chosen = cookie.get(LANGUAGE_KEY)
    return chosen if isinstance(chosen, str) and chosen in LANGUAGES else DEFAULT_LANGUAGE


def page_language() -> str:
    """The language of the page's text, for its `lang` attribute."""
    return get_locale().language if get_locale() else DEFAULT_LANGUAGE


def select_locale() -> str:
    """Flask-Babel's locale selector: the reader's language, formatted for India."""
    return FORMAT_LOCALES[language()]


def choose_language(code: str, user: User | None) -> None:
    """Remember the language for this browser session and, when signed in, on the account
    (the caller commits). Unknown codes are ignored."""
    if code not in LANGUAGES:
        return
    cookie[LANGUAGE_KEY] = code
    if user is not None:
        user.language = code


def engine_text(text: str) -> str:
    """A text from the engine (marked there with N_, or an engine.i18n.Text keeping its
    Message), in the reader's language."""
    if isinstance(text, Text):
        return render(text.message)
    return data_text(text)


def sentence(text: str) -> str:
    """The text with a capital first letter and a full stop."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def init_app(app: Flask) -> None:
    """Flask-Babel with our catalogues, the locale selector, and the language in every template."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", FORMAT_LOCALES[DEFAULT_LANGUAGE])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIME_ZONE)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(page_language=page_language, LANGUAGES=LANGUAGES)


def render(message: Message | Mapping[str, Any]) -> str:
    """An engine Message (or its JSON form) in the reader's language."""
    value = message if isinstance(message, Message) else Message.from_json(message)
    return value.render(lambda text: str(get_translations().ugettext(text)))


def data_text(text: str | None) -> str:
    """A text that comes from data the catalogue knows (the names in the shipped BPMN
    diagrams), in the reader's language; any other text as it is."""
    return str(get_translations().ugettext(text)) if text else ""
