/*
 * ais_app.h - JSON rendering of the application data carried by AIS binary
 * messages 6 (addressed) and 8 (broadcast), keyed by DAC/FI, exactly as
 * gpsd 3.22's gpsdecode -j / -u -j prints them (IMO SN.1/Circ.236 and 289,
 * Inland AIS, GLA AtoN monitoring).
 */
#ifndef DF_AIS_APP_H
#define DF_AIS_APP_H

#include "darkfleet.h"

/*
 * Appends the application-specific keys that gpsd 3.22 prints for a type 6
 * or type 8 message after its "fid" key, each written as ,"key":value.
 * Returns 1 if it recognised and printed the DAC/FI, 0 if it printed nothing
 * (the caller then prints gpsd's generic "data":"<bitcount>:<hex>" key).
 * flags: DF_JSON_SCALED for gpsdecode -j values (else -u -j wire values),
 * DF_JSON_TEXT to add gpsd's *_text labels (e.g. "racon_text").
 */
int df__app_json(struct df_buf *b, const struct df_msg *m, unsigned flags);

#endif
