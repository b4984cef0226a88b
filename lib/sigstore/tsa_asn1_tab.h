#if HAVE_CONFIG_H
# include "config.h"
#endif

#include <libtasn1.h>

const asn1_static_node dr_ss_tsa_asn1_tab[] = {
  { "DreichorTsa", 536875024, NULL },
  { NULL, 1073741836, NULL },
  { "TimeStampResp", 1610612741, NULL },
  { "status", 1073741826, "PKIStatusInfo"},
  { "timeStampToken", 16397, NULL },
  { "PKIStatusInfo", 1610612741, NULL },
  { "status", 1073741827, NULL },
  { "statusString", 1610629131, NULL },
  { NULL, 34, NULL },
  { "failInfo", 16390, NULL },
  { "TSTInfo", 1610612741, NULL },
  { "version", 1073741827, NULL },
  { "policy", 1073741836, NULL },
  { "messageImprint", 1073741826, "MessageImprint"},
  { "serialNumber", 1073741827, NULL },
  { "genTime", 1073741861, NULL },
  { "accuracy", 1073758210, "Accuracy"},
  { "ordering", 1610645508, NULL },
  { NULL, 131081, NULL },
  { "nonce", 1073758211, NULL },
  { "tsa", 1610637325, NULL },
  { NULL, 2056, "0"},
  { "extensions", 536895499, NULL },
  { NULL, 1073745928, "1"},
  { NULL, 13, NULL },
  { "MessageImprint", 1610612741, NULL },
  { "hashAlgorithm", 1073741826, "AlgorithmIdentifier"},
  { "hashedMessage", 7, NULL },
  { "AlgorithmIdentifier", 1610612741, NULL },
  { "algorithm", 1073741836, NULL },
  { "parameters", 541081613, NULL },
  { "algorithm", 1, NULL },
  { "Accuracy", 536870917, NULL },
  { "seconds", 1073758211, NULL },
  { "millis", 1610637315, NULL },
  { NULL, 4104, "0"},
  { "micros", 536895491, NULL },
  { NULL, 4104, "1"},
  { NULL, 0, NULL }
};
