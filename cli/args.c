/*
 * args.c - the one option parser of every darkfleet command: a table of
 * options, read one argument at a time (as getopt_long is, but with the
 * command's name in every message and no reordering of argv).
 *
 * The rules, the same for every command:
 *   - "--name VALUE" and "--name=VALUE" give an option that takes a value
 *     its value; the next argument is taken whatever it looks like.  A
 *     short alias ("-o", "-f") takes the next argument only: "-o=DIR" is
 *     an unknown option.
 *   - A missing value (the option is the last argument) or an empty one
 *     ("--db=", "--db ''") is the error
 *     "CMD: --name needs a value (see darkfleet CMD --help)",
 *     naming the option as it was written.
 *   - An option without a value written with one ("--stats=1") and any
 *     other argument that starts with '-' is the error
 *     "CMD: unknown option 'ARG' (see darkfleet CMD --help)".
 *   - "-" alone (standard input) and anything not starting with '-' is an
 *     operand; so is every argument after "--", which ends the options.
 *   - -h and --help are ordinary table entries: each command prints its
 *     own usage.
 * The command decides what an operand means; one that takes none reports
 * it with cli_args_bad().
 */
#include "cli.h"

#include <string.h>

void cli_args_init(struct cli_args *a, const char *cmd, int argc,
                   char **argv)
{
    a->cmd = cmd;
    a->argc = argc;
    a->argv = argv;
    a->i = 1;                   /* argv[0] is the command's name */
    a->rest = 0;
}

/* The entry whose long name or alias is arg (value, if any, after '=' in
 * *eq for a long name), or NULL. */
static const struct cli_opt *find(const struct cli_opt *opts,
                                  const char *arg, const char **eq)
{
    const struct cli_opt *o;

    *eq = NULL;
    for (o = opts; o->name; o++) {
        size_t n = strlen(o->name);

        if (strcmp(arg, o->name) == 0 ||
            (o->alias && strcmp(arg, o->alias) == 0))
            return o;
        if (o->has_arg && strncmp(arg, o->name, n) == 0 && arg[n] == '=') {
            *eq = arg + n + 1;
            return o;
        }
    }
    return NULL;
}

int cli_args_next(struct cli_args *a, const struct cli_opt *opts,
                  const char **val)
{
    const struct cli_opt *o;
    const char *arg, *eq;

    *val = NULL;
    if (a->i >= a->argc)
        return CLI_END;
    arg = a->argv[a->i++];
    if (!a->rest && strcmp(arg, "--") == 0) {
        a->rest = 1;
        if (a->i >= a->argc)
            return CLI_END;
        arg = a->argv[a->i++];
    }
    if (a->rest || arg[0] != '-' || arg[1] == '\0') {
        *val = arg;
        return CLI_OPERAND;
    }
    o = find(opts, arg, &eq);
    if (!o) {
        cli_err("%s: unknown option '%s' (see darkfleet %s --help)", a->cmd,
                arg, a->cmd);
        return CLI_BAD;
    }
    if (o->has_arg) {
        if (eq) {
            *val = eq;
        } else if (a->i < a->argc) {
            *val = a->argv[a->i++];
        }
        if (!*val || **val == '\0') {
            /* The option as written, without any "=VALUE". */
            cli_err("%s: %s needs a value (see darkfleet %s --help)",
                    a->cmd, eq ? o->name : arg, a->cmd);
            *val = NULL;
            return CLI_BAD;
        }
    }
    return o->id;
}

int cli_args_bad(const struct cli_args *a, int id, const char *val)
{
    if (id == CLI_OPERAND)
        cli_err("%s: unexpected argument '%s' (see darkfleet %s --help)",
                a->cmd, val, a->cmd);
    return 2;
}
