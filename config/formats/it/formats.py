# Italian as Italian writes a date: "3 dicembre 2026", no leading zero, no weekday (like the
# English formats beside this one), the month in lower case.
from django.utils.translation import pgettext_lazy

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"

# "E" is the month's name as a date writes it (Django's "alt. month"). Django's Italian
# catalogue capitalises it like a calendar's heading ("Dicembre"); the project's catalogue,
# which takes precedence, writes it in lower case. Marked here so that makemessages keeps
# the entries (the calendar's own headings, "F", keep Django's capitals).
MONTHS_IN_A_DATE = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
