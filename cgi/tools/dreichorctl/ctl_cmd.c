/* ctl_cmd.c: the table of dreichorctl's commands: name, function, and the
 * argument it takes. */

#include <string.h>

#include "ctl_cmd.h"

enum ctl_operand {
	CTL_OPERAND_NONE,  /* an argument is one too many */
	CTL_OPERAND_IMAGE, /* one IMAGE, always */
	CTL_OPERAND_OWN,   /* the command checks (deploy: IMAGE, or none with --previous) */
};

struct ctl_command {
	const char *name;
	int (*run)(struct ctl *c);
	enum ctl_operand operand;
};

static const struct ctl_command ctl_commands[] = {
	{ "deploy", ctl_cmd_deploy, CTL_OPERAND_OWN },
	{ "plan", ctl_cmd_plan, CTL_OPERAND_IMAGE },
	{ "history", ctl_cmd_history, CTL_OPERAND_NONE },
	{ "status", ctl_cmd_status, CTL_OPERAND_NONE },
	{ "stop", ctl_cmd_stop, CTL_OPERAND_NONE },
};

static const struct ctl_command *ctl_command_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof ctl_commands / sizeof *ctl_commands; i++)
		if (!strcmp(ctl_commands[i].name, name))
			return &ctl_commands[i];
	return NULL;
}

int ctl_command_run(struct ctl *c)
{
	const struct ctl_command *cmd = ctl_command_find(c->args.command);

	if (!cmd || (cmd->operand == CTL_OPERAND_NONE && c->args.image))
		return ctl_usage("unknown command or extra arguments");
	if (cmd->operand == CTL_OPERAND_IMAGE && !c->args.image)
		return ctl_usage("deploy and plan take one IMAGE");
	return cmd->run(c);
}
