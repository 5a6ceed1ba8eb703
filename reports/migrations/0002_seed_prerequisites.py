"""The prerequisites annex as Telenia's public guide states it (docs/DOMAIN.md B1, B2, B4, B5).

Administrators may edit these rows; a proposal copies the rows it printed into its
snapshot, so an edit never changes a proposal already generated.
"""

from django.db import migrations

GUIDE = "teleniasoftware/guide, source/projects/"
MCS_NET = GUIDE + "TVOXMediantCommunicationSystem/Networking.rst"
MCS_ARCH = GUIDE + "TVOXMediantCommunicationSystem/Architettura.rst"
PC_INFRA = GUIDE + "…/Architetture/Infrastrutture.rst"
PC_MODES = GUIDE + "…/ModalitaLavoro.rst"
PC_CMR = GUIDE + "…/Architetture/CM&R.rst"

# (architecture, kind, ports, protocol, Italian, English, rule, source)
ROWS = [
    ("mcs", "addressing", "", "",
     "Un indirizzo IP pubblico statico per MCS",
     "A static public IP address for MCS", "B2", MCS_ARCH),
    ("mcs", "addressing", "", "",
     "Un nome di dominio pubblico (FQDN, record A) che risolve sull'IP di MCS: è il dominio di gestione",
     "A public domain name (FQDN, A record) resolving to the MCS address: its management domain",
     "B2", MCS_ARCH),
    ("mcs", "addressing", "", "",
     "Per ogni TVox un proprio FQDN, CNAME del dominio di MCS; il DNS interno lo risolve sull'indirizzo locale del TVox",
     "For each TVox its own FQDN, a CNAME of the MCS domain; the internal DNS resolves it to the TVox's local address",
     "B2", MCS_ARCH),
    ("mcs", "other", "", "",
     "MCS in una DMZ isolata, senza visibilità delle LAN locali",
     "MCS in an isolated DMZ, with no visibility of the local LANs", "B1", MCS_NET),
    ("mcs", "other", "", "",
     "Il traffico WebRTC non deve passare da un proxy",
     "WebRTC traffic must not pass through a proxy", "B1", MCS_NET),
    ("mcs", "inbound", "3478", "UDP/TCP", "STUN/TURN", "STUN/TURN", "B1", MCS_NET),
    ("mcs", "inbound", "10000–20000", "UDP",
     "Media (RTP, SRTP, DTLS)", "Media (RTP, SRTP, DTLS)", "B1", MCS_NET),
    ("mcs", "inbound", "1194", "UDP/TCP",
     "OpenVPN da ogni TVox (limitabile agli IP pubblici dei TVox)",
     "OpenVPN from each TVox (may be limited to the TVox public IPs)", "B1", MCS_NET),
    ("mcs", "inbound", "80", "TCP",
     "Reindirizzamento a HTTPS", "Redirect to HTTPS", "B1", MCS_NET),
    ("mcs", "inbound", "443", "TCP",
     "Web client e app TVox Team", "Web client and TVox Team app", "B1", MCS_NET),
    ("mcs", "inbound", "22", "TCP",
     "SSH solo dagli indirizzi degli amministratori e del supporto Telenia",
     "SSH only from the administrators' and Telenia support's addresses", "B1", MCS_NET),
    ("mcs", "outbound", "443", "TCP",
     "Server licenze Telenia, Let's Encrypt", "Telenia licence server, Let's Encrypt",
     "B1", MCS_NET),
    ("mcs", "outbound", "53", "UDP/TCP", "DNS", "DNS", "B1", MCS_NET),
    ("mcs", "outbound", "25, 465, 587", "TCP",
     "E-mail di allarme", "Alarm e-mail", "B1", MCS_NET),
    ("mcs", "outbound", "123", "UDP", "NTP", "NTP", "B1", MCS_NET),
    ("mcs", "tvox_to_mcs", "3478", "UDP/TCP",
     "STUN/TURN verso MCS (il TVox non richiede esposizione in ingresso)",
     "STUN/TURN to MCS (TVox needs no inbound exposure)", "B1", MCS_NET),
    ("mcs", "tvox_to_mcs", "10000–20000", "UDP",
     "Media verso MCS", "Media to MCS", "B1", MCS_NET),
    ("mcs", "tvox_to_mcs", "1194", "UDP/TCP",
     "Tunnel OpenVPN verso MCS (uno per TVox, R12)",
     "OpenVPN tunnel to MCS (one per TVox, R12)", "B1", MCS_NET),
    ("pure_cloud", "addressing", "", "",
     "Il modulo PURE_CLOUD, un IP pubblico statico e un dominio DNS pubblico configurati prima dell'attivazione",
     "The PURE_CLOUD module, a static public IP and a public DNS domain set up before activation",
     "B4", PC_INFRA),
    ("pure_cloud", "addressing", "", "",
     "Con ridondanza Master + Slave: due IP pubblici; il passaggio allo Slave è manuale ed entrambe le macchine sono licenziate",
     "With Master + Slave redundancy: two public IPs; switching to the Slave is manual and both machines are licensed",
     "B5", PC_CMR),
    ("pure_cloud", "inbound", "5060", "UDP/TCP", "SIP", "SIP", "B4", PC_INFRA),
    ("pure_cloud", "inbound", "5061", "TCP", "SIP su TLS", "SIP over TLS", "B4", PC_INFRA),
    ("pure_cloud", "inbound", "5070", "UDP/TCP", "SIP", "SIP", "B4", PC_INFRA),
    ("pure_cloud", "inbound", "5071", "TCP", "SIP su TLS", "SIP over TLS", "B4", PC_INFRA),
    ("pure_cloud", "inbound", "10000–20000", "UDP", "Media (RTP)", "Media (RTP)", "B4", PC_INFRA),
    ("pure_cloud", "inbound", "3478", "UDP/TCP", "STUN/TURN", "STUN/TURN", "B4", PC_INFRA),
    ("pure_cloud", "inbound", "20001–30000", "UDP",
     "Media TURN", "TURN media", "B4", PC_INFRA),
    ("pure_cloud", "inbound", "80, 443", "TCP",
     "Web e provisioning", "Web and provisioning", "B4", PC_INFRA),
    ("pure_cloud", "other", "", "",
     "Provisioning e controllo completi solo per i telefoni Yealink (provisioning sicuro tramite il servizio di redirect Yealink); gli altri telefoni richiedono l'URL di provisioning inserito a mano e hanno un controllo parziale",
     "Full provisioning and control only for Yealink phones (secure provisioning through Yealink's redirect service); other phones need the provisioning URL entered by hand and get partial control",
     "B4", PC_MODES),
    ("pure_cloud", "other", "", "",
     "I telefoni devono supportare ICE o STUN",
     "Phones must support ICE or STUN", "B4", PC_MODES),
]


def seed(apps, schema_editor):
    Prerequisite = apps.get_model("reports", "Prerequisite")
    Prerequisite.objects.bulk_create(
        Prerequisite(
            architecture=arch, kind=kind, position=position, ports=ports, protocol=protocol,
            text_it=it, text_en=en, rule=rule, source=source,
        )
        for position, (arch, kind, ports, protocol, it, en, rule, source) in enumerate(ROWS)
    )


def unseed(apps, schema_editor):
    apps.get_model("reports", "Prerequisite").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_proposals")]
    operations = [migrations.RunPython(seed, unseed)]
