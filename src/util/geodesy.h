/*
 * geodesy.h - the constants and the one great-circle formula every stage
 * shares.  Positions in the library are AIS wire units (1/10000 minute of
 * arc, 600,000 a degree); distances are on a sphere of the mean Earth
 * radius (IUGG: 6,371.0088 km), which is within 0.5% of the ellipsoid.
 */
#ifndef DF_UTIL_GEODESY_H
#define DF_UTIL_GEODESY_H

#include <math.h>

#define DF__PI 3.14159265358979323846
#define DF__E4MIN_PER_DEG 600000.0   /* wire units per degree */
#define DF__EARTH_R_M 6371008.8      /* mean Earth radius */
#define DF__M_PER_DEG 111195.08      /* 2 pi R / 360 */
#define DF__KM_PER_DEG 111.19508

/*
 * The haversine distance in metres between latitudes phi1 and phi2
 * (radians) dphi = phi2 - phi1 and dlambda = lon2 - lon1 apart (radians,
 * computed by the caller in whatever units it holds positions, so that
 * each keeps its own rounding).
 */
static inline double df__haversine_m(double phi1, double phi2, double dphi,
                                     double dlambda)
{
    double a = sin(dphi / 2) * sin(dphi / 2) +
               cos(phi1) * cos(phi2) * sin(dlambda / 2) * sin(dlambda / 2);

    if (a > 1)
        a = 1;
    return 2 * DF__EARTH_R_M * asin(sqrt(a));
}

#endif
