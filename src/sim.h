/*
 * sim.h - the simulator's interface inside the library and its tests:
 * df_sim_run() with the report interval and counters that the public
 * struct df_sim_opts does not carry (yet).
 */
#ifndef DF_SIM_H
#define DF_SIM_H

#include "darkfleet.h"

struct df__sim_stats {
    uint64_t messages;         /* messages handed to cbs->msg */
    uint64_t truths;           /* events handed to cbs->truth */
    unsigned peak_live;        /* most vessels reporting at once */
};

/* df_sim_run() with a Class A report interval underway of report_s
 * seconds (0: 30 s; ITU-R M.1371 says 10 s at 0-14 kn), filling *st when
 * st is not NULL. */
enum df_err df__sim_run_ext(const struct df_sim_opts *opts, unsigned report_s,
                            const struct df_sim_cbs *cbs,
                            struct df__sim_stats *st);

#endif
