/*
 * report_assets.h - the web files built into the library, the static
 * report's and the workspace's (darkfleet serve, through df_web_asset):
 * web/ (pages, scripts, style) and, when node_modules had them at build
 * time, MapLibre GL (dist UMD build and CSS) and Natural Earth land
 * (world-atlas land-50m as GeoJSON in a script).  The table is generated
 * by tools/mkassets.mjs into build/generated/report_assets.c, or, in a
 * build without node, by src/CMakeLists-report.cmake from web/ alone
 * (src/fallback/report_assets_none.c): the pages then draw a plain canvas
 * map without land.
 */
#ifndef DF_REPORT_ASSETS_H
#define DF_REPORT_ASSETS_H

#include <stddef.h>

/* One file: its path inside the report ("assets/app.js"), its bytes. */
struct df__report_asset {
    const char *name;
    const unsigned char *data;
    size_t len;
};

/* Every asset, in name order.  Names under "assets/" and "index.html"
 * are copied into the report as they are (but "assets/serve.js");
 * "vessel.html" is the template of a vessel page, with "@MMSI@" where the
 * vessel's number goes; "serve.html" is the workspace's page. */
extern const struct df__report_asset df__report_assets[];
extern const size_t df__report_nassets;

#endif
