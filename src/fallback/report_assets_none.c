/*
 * report_assets_none.c - the report's files in a build without node
 * (src/CMakeLists-report.cmake): web/ only, embedded at configure time as
 * report_web.inc.  MapLibre and the land are stubs, so the pages draw a
 * canvas map with a grid and no coastline; the report still opens offline.
 * Kept out of src/ so the library's glob skips it.
 */
#include <stddef.h>

#include "report_assets.h"
#include "report_web.inc"

static const char no_maplibre[] =
    "/* MapLibre GL was not in this build: the report draws a canvas map. */\n";
static const char no_land[] =
    "/* Natural Earth land was not in this build. */\n"
    "window.DARKFLEET_LAND = null;\n";

#define TEXT(name, s) {name, (const unsigned char *)(s), sizeof(s) - 1}

const struct df__report_asset df__report_assets[] = {
    TEXT("assets/app.js", df_web_app_js),
    TEXT("assets/common.js", df_web_common_js),
    TEXT("assets/land.js", no_land),
    {"assets/maplibre-gl.css", (const unsigned char *)"", 0},
    TEXT("assets/maplibre-gl.js", no_maplibre),
    TEXT("assets/serve.js", df_web_serve_js),
    TEXT("assets/style.css", df_web_style_css),
    TEXT("index.html", df_web_index_html),
    TEXT("serve.html", df_web_serve_html),
    TEXT("vessel.html", df_web_vessel_html),
};

const size_t df__report_nassets =
    sizeof df__report_assets / sizeof df__report_assets[0];
