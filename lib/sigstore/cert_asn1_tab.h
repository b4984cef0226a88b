#if HAVE_CONFIG_H
# include "config.h"
#endif

#include <libtasn1.h>

const asn1_static_node dr_ss_cert_asn1_tab[] = {
  { "DreichorCert", 536875024, NULL },
  { NULL, 1073741836, NULL },
  { "Certificate", 1610612741, NULL },
  { "tbsCertificate", 1073741826, "TBSCertificate"},
  { "signatureAlgorithm", 1073741837, NULL },
  { "signature", 6, NULL },
  { "TBSCertificate", 1610612741, NULL },
  { "version", 1610653698, "Version"},
  { NULL, 1073741833, "v1"},
  { NULL, 2056, "0"},
  { "serialNumber", 1073741827, NULL },
  { "signature", 1073741837, NULL },
  { "issuer", 1073741837, NULL },
  { "validity", 1073741837, NULL },
  { "subject", 1073741837, NULL },
  { "subjectPublicKeyInfo", 1073741837, NULL },
  { "issuerUniqueID", 1610637318, NULL },
  { NULL, 4104, "1"},
  { "subjectUniqueID", 1610637318, NULL },
  { NULL, 4104, "2"},
  { "extensions", 536895490, "Extensions"},
  { NULL, 2056, "3"},
  { "Version", 1610874883, NULL },
  { "v1", 1073741825, "0"},
  { "v2", 1073741825, "1"},
  { "v3", 1, "2"},
  { "Extensions", 1612709899, NULL },
  { "MAX", 1074266122, "1"},
  { NULL, 2, "Extension"},
  { "Extension", 536870917, NULL },
  { "extnID", 1073741836, NULL },
  { "critical", 1610645508, NULL },
  { NULL, 131081, NULL },
  { "extnValue", 7, NULL },
  { NULL, 0, NULL }
};
