"""Two more facts of Telenia's public guide for the annex (docs/DOMAIN.md B3, B6), after the
seed of 0002: the later product page's operating system and TVox compatibility, and what
an MCS update stops. Administrators may edit or remove them like the others."""

from django.db import migrations

GUIDE = "teleniasoftware/guide, source/projects/"
PRODUCT = GUIDE + "TVOXMediantCommunicationSystem/Prodotto.rst (2022)"
UPDATES = GUIDE + "…/Aggiornamenti/Aggiornamenti.rst"

# (kind, Italian, English, rule, source), all for TVox + MCS, after the rows of 0002.
ROWS = [
    ("other",
     "La revisione 2022 della pagina di prodotto indica AlmaLinux 8.5 al posto di CentOS 7 "
     "(fuori supporto dal 30/06/2024): verificare con Telenia il sistema operativo da installare",
     "The 2022 revision of the product page names AlmaLinux 8.5 instead of CentOS 7 (end of "
     "life 2024-06-30): confirm with Telenia the operating system to install",
     "B3", PRODUCT),
    ("other",
     "MCS release 22 accetta TVox 10.26, 21 e 22",
     "MCS release 22 accepts TVox 10.26, 21 and 22",
     "B3", PRODUCT),
    ("other",
     "Durante l'aggiornamento di MCS lo smart working e il widget non sono disponibili per "
     "tutti i TVox collegati: pianificare una finestra di manutenzione",
     "While MCS is updated, smart working and the widget are down for every TVox connected "
     "to it: plan a maintenance window",
     "B6", UPDATES),
]


def seed(apps, schema_editor):
    Prerequisite = apps.get_model("reports", "Prerequisite")
    start = 1000  # after the rows of 0002
    Prerequisite.objects.bulk_create(
        Prerequisite(
            architecture="mcs", kind=kind, position=start + offset, ports="", protocol="",
            text_it=it, text_en=en, rule=rule, source=source,
        )
        for offset, (kind, it, en, rule, source) in enumerate(ROWS)
    )


def unseed(apps, schema_editor):
    apps.get_model("reports", "Prerequisite").objects.filter(rule__in=["B3", "B6"]).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_proposal_crashes")]
    operations = [migrations.RunPython(seed, unseed)]
