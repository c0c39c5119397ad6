/* labels.h - human-readable labels for AIS code fields (ITU-R M.1371-5
 * tables), for gpsd's optional *_text keys and for reports. */
#ifndef DF_LABELS_H
#define DF_LABELS_H

const char *df__shiptype_label(unsigned shiptype);
const char *df__aid_type_label(unsigned aid_type);
const char *df__stationtype_label(unsigned stationtype);

#endif
