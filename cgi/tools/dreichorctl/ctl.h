/* ctl.h: what every part of dreichorctl shares: its exit codes and the
 * context a command runs with (the parsed arguments and the connection to
 * the agent). main owns the one context; commands borrow it. */
#ifndef CTL_H
#define CTL_H

#include "ctl_args.h"
#include "ctl_http.h"

#define CTL_EXIT_OK 0
#define CTL_EXIT_REFUSED 1      /* refused by the agent, or the deploy failed */
#define CTL_EXIT_USAGE 2
#define CTL_EXIT_TRANSPORT 3
#define CTL_EXIT_NOT_RUNNING 4  /* deployed, but --wait-running found another image or none running */
#define CTL_EXIT_WOULD_REFUSE 5 /* the plan says a deploy would be refused */

struct ctl {
	struct ctl_args args;  /* what the command line and the environment asked for */
	struct ctl_http http;  /* the connection, and the last answer */
};

#endif
