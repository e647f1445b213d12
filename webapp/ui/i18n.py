"""English and Hindi for the main labels (GIGW asks for both, with one switch in the header).

A small dictionary, not a translation system: headings, navigation and buttons. Texts
that come from data (course titles, form schemas, reasons from the rules) stay English.
"""

from __future__ import annotations

from flask import Flask
from flask import session as cookie

LANGUAGES: dict[str, str] = {"en": "English", "hi": "हिन्दी"}
DEFAULT_LANGUAGE = "en"

HINDI: dict[str, str] = {
    "Skip to main content": "मुख्य सामग्री पर जाएँ",
    "Government of India": "भारत सरकार",
    "Ministry of Personnel, Public Grievances and Pensions": "कार्मिक, लोक शिकायत तथा पेंशन मंत्रालय",
    "Department of Personnel & Training, Training Division": "कार्मिक और प्रशिक्षण विभाग, प्रशिक्षण प्रभाग",
    "iGOT MicroMasters": "आईगॉट माइक्रोमास्टर्स",
    "Main menu": "मुख्य मेनू",
    "Language": "भाषा",
    "Home": "मुख्य पृष्ठ",
    "Courses": "पाठ्यक्रम",
    "My applications": "मेरे आवेदन",
    "Applications": "आवेदन",
    "Inbox": "इनबॉक्स",
    "Notifications": "सूचनाएँ",
    "Processes": "प्रक्रियाएँ",
    "Sign in": "साइन इन करें",
    "Sign out": "साइन आउट करें",
    "Register": "पंजीकरण करें",
    "Register as an officer": "अधिकारी के रूप में पंजीकरण करें",
    "Username": "उपयोगकर्ता नाम",
    "Password": "पासवर्ड",
    "Apply": "आवेदन करें",
    "Submit": "जमा करें",
    "Submit application": "आवेदन जमा करें",
    "Status": "स्थिति",
    "History": "इतिहास",
    "Eligibility": "पात्रता",
    "Eligible": "पात्र",
    "Not eligible": "पात्र नहीं",
    "Tasks waiting for you": "आपके लिए लंबित कार्य",
    "Coupon code": "कूपन कोड",
    "Withdraw the application": "आवेदन वापस लें",
    "Officer": "अधिकारी",
    "Course": "पाठ्यक्रम",
    "Course run": "पाठ्यक्रम सत्र",
    "Task": "कार्य",
    "Received": "प्राप्त",
    "Due": "नियत तिथि",
    "Overdue": "समय सीमा पार",
    "Filter": "छाँटें",
    "Search by officer name": "अधिकारी के नाम से खोजें",
    "Previous page": "पिछला पृष्ठ",
    "Next page": "अगला पृष्ठ",
    "Take this task": "यह कार्य लें",
    "Return to the shared inbox": "साझा इनबॉक्स में लौटाएँ",
    "Signed in as": "साइन इन:",
    "Owned by the Department of Personnel & Training, Training Division, Government of India": (
        "स्वामित्व: कार्मिक और प्रशिक्षण विभाग, प्रशिक्षण प्रभाग, भारत सरकार"
    ),
}


def language() -> str:
    """The page language chosen in this session, English by default."""
    chosen = cookie.get("lang")
    return chosen if isinstance(chosen, str) and chosen in LANGUAGES else DEFAULT_LANGUAGE


def translate(text: str) -> str:
    """The text in the session's language, or as given when the dictionary lacks it."""
    if language() == "hi":
        return HINDI.get(text, text)
    return text


def choose_language(code: str) -> None:
    """Remember the language for this browser session; unknown codes are ignored."""
    if code in LANGUAGES:
        cookie["lang"] = code


def init_app(app: Flask) -> None:
    """`_()` and the language in every template."""
    app.jinja_env.globals.update(_=translate, page_language=language, LANGUAGES=LANGUAGES)
