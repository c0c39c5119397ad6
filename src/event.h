/*
 * event.h - private half of src/event.c: the rule every detector follows
 * to put the evidence it rendered into an event.
 */
#ifndef DF_EVENT_H
#define DF_EVENT_H

#include "darkfleet.h"

/* Copies the JSON object rendered in b into ev->evidence, or writes
 * {"truncated":true} when it does not fit or b ran out of memory.  b is
 * the caller's, untouched.  Returns 0, or -1 when b ran out of memory
 * (the event goes out all the same: the caller records the failure). */
int df__event_set_evidence(struct df_event *ev, const struct df_buf *b);

#endif
