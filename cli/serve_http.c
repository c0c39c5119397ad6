/*
 * serve_http.c - one request to `darkfleet serve`, from libmicrohttpd's
 * callbacks to the response:
 *
 *   1. Only GET and HEAD (405 otherwise), a URI of at most
 *      SERVE_QUERY_MAX bytes of query (400), at most SERVE_ARGS_MAX
 *      parameters (400).  libmicrohttpd itself answers a request line or
 *      headers that do not fit the connection's 32 KiB (414, 431).
 *   2. With a token (any address but a loopback one, or --token): the
 *      request carries it as "Authorization: Bearer TOKEN", as the cookie
 *      df_token, or as ?token=TOKEN; the page opened with ?token= gets the
 *      cookie (HttpOnly, SameSite=Strict) and is sent on to "/" without
 *      it, so that the web app's own requests carry it.  Without: 401.
 *      Without a token, on a loopback address, the Host must name this
 *      machine (localhost, 127.x.x.x, [::1]; 403 otherwise): a page from
 *      elsewhere cannot read the store through DNS rebinding.
 *   3. Routing: "/" is the web app (serve.html), "/assets/NAME" its files,
 *      both from the table built into the library and nothing else (no
 *      path reaches the file system); "/api/..." the API (serve_api.c);
 *      anything else 404.
 *
 * Every answer carries a strict Content-Security-Policy (scripts only
 * from this server and MapLibre's blob: worker, fetches only to it, no
 * framing) and nosniff; errors are JSON ({"error": ..., "status": ...}).
 * Files have an ETag and are revalidated (304); API answers are not
 * cached.
 */
#include "serve.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

/* ---- files -------------------------------------------------------------- */

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (!dot)
        return "application/octet-stream";
    if (strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp(dot, ".txt") == 0)
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

int serve_files_init(struct serve *s)
{
    const char *name;
    size_t i, n = 0;

    while (df_web_asset_name(n))
        n++;
    s->files = calloc(n ? n : 1, sizeof *s->files);
    if (!s->files)
        return -1;
    for (i = 0; (name = df_web_asset_name(i)) != NULL; i++) {
        struct serve_file *f = &s->files[s->nfiles];
        uint64_t h = 1469598103934665603ULL;
        size_t k;

        /* The web app and what it loads: the report's pages stay out. */
        if (strcmp(name, "serve.html") != 0 &&
            strncmp(name, "assets/", 7) != 0)
            continue;
        f->name = name;
        f->data = df_web_asset(name, &f->len);
        for (k = 0; k < f->len; k++)
            h = (h ^ f->data[k]) * 1099511628211ULL;
        snprintf(f->etag, sizeof f->etag, "\"%016llx\"",
                 (unsigned long long)h);
        f->type = type_of(name);
        s->nfiles++;
    }
    return 0;
}

/* ---- responses ---------------------------------------------------------- */

void serve_error(struct serve_reply *r, unsigned status, const char *fmt,
                 ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->status = status;
    r->type = "application/json";
    r->body.len = 0;
    if (r->body.data)
        r->body.data[0] = '\0';
    df_buf_puts(&r->body, "{\"error\":");
    df_buf_json_utf8_str(&r->body, msg, strlen(msg));
    df_buf_printf(&r->body, ",\"status\":%u}\n", status);
}

#ifdef DF_HAVE_MHD
static const struct serve_file *find_file(const struct serve *s,
                                          const char *name)
{
    size_t i;

    for (i = 0; i < s->nfiles; i++)
        if (strcmp(s->files[i].name, name) == 0)
            return &s->files[i];
    return NULL;
}

static const char csp[] =
    "default-src 'none'; script-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src blob:; child-src blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/* Queues r (or the file f) on c, with the headers every answer has. */
static enum MHD_Result send_reply(struct MHD_Connection *c,
                                  struct serve_reply *r,
                                  const struct serve_file *f)
{
    static const char oom[] =
        "{\"error\":\"out of memory\",\"status\":500}\n";
    struct MHD_Response *resp;
    enum MHD_Result ok;

    if (f) {
        resp = cli_mhd.MHD_create_response_from_buffer(
            r->status == 304 ? 0 : f->len, (void *)f->data,
            MHD_RESPMEM_PERSISTENT);
    } else if (r->body.oom) {
        r->status = 500;
        r->type = "application/json";
        resp = cli_mhd.MHD_create_response_from_buffer(
            sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
    } else {
        /* df_buf's bytes come from malloc: libmicrohttpd frees them. */
        resp = cli_mhd.MHD_create_response_from_buffer(
            r->body.len, r->body.data, MHD_RESPMEM_MUST_FREE);
        if (resp)
            r->body.data = NULL;
    }
    df_buf_free(&r->body);
    if (!resp)
        return MHD_NO;
    if (r->status != 304)
        cli_mhd.MHD_add_response_header(resp, "Content-Type",
                                        f ? f->type : r->type);
    cli_mhd.MHD_add_response_header(resp, "Content-Security-Policy", csp);
    cli_mhd.MHD_add_response_header(resp, "X-Content-Type-Options",
                                    "nosniff");
    cli_mhd.MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    cli_mhd.MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    cli_mhd.MHD_add_response_header(resp, "Cross-Origin-Resource-Policy",
                                    "same-origin");
    if (f) {
        cli_mhd.MHD_add_response_header(resp, "ETag", f->etag);
        cli_mhd.MHD_add_response_header(resp, "Cache-Control", "no-cache");
    } else {
        cli_mhd.MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
    if (r->cookie)
        cli_mhd.MHD_add_response_header(resp, "Set-Cookie", r->cookie);
    if (r->location)
        cli_mhd.MHD_add_response_header(resp, "Location", r->location);
    if (r->status == 405)
        cli_mhd.MHD_add_response_header(resp, "Allow", "GET, HEAD");
    if (r->status == 401)
        cli_mhd.MHD_add_response_header(resp, "WWW-Authenticate",
                                        "Bearer realm=\"darkfleet\"");
    ok = cli_mhd.MHD_queue_response(c, r->status, resp);
    cli_mhd.MHD_destroy_response(resp);
    return ok;
}

/* ---- checks ------------------------------------------------------------- */

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind,
                              const char *key, size_t key_size,
                              const char *value, size_t value_size)
{
    struct serve_args *a = cls;

    (void)kind;
    if (a->n == SERVE_ARGS_MAX) {
        a->too_many = 1;
        return MHD_NO;
    }
    a->a[a->n].key = key;
    a->a[a->n].key_len = key_size;
    a->a[a->n].value = value ? value : "";
    a->a[a->n].len = value ? value_size : 0;
    a->n++;
    return MHD_YES;
}

/* 1 if the n bytes of a equal the string t, in a time that does not
 * depend on where they differ. */
static int same_token(const char *a, size_t n, const char *t)
{
    size_t i, tn = strlen(t);
    unsigned d = n != tn;

    for (i = 0; i < tn; i++)
        d |= (unsigned)(unsigned char)(i < n ? a[i] : 0) ^
             (unsigned char)t[i];
    return d == 0;
}

/* Where the request's token came from: 0 none or a wrong one, 1 a header
 * or the cookie, 2 the query string. */
static int token_given(const struct serve *s, struct MHD_Connection *c,
                       const struct serve_args *args)
{
    const char *h = cli_mhd.MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, "Authorization");
    unsigned i;

    if (h && strncmp(h, "Bearer ", 7) == 0 &&
        same_token(h + 7, strlen(h + 7), s->token))
        return 1;
    h = cli_mhd.MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "df_token");
    if (h && same_token(h, strlen(h), s->token))
        return 1;
    for (i = 0; i < args->n; i++)
        if (strcmp(args->a[i].key, "token") == 0 &&
            same_token(args->a[i].value, args->a[i].len, s->token))
            return 2;
    return 0;
}

/* 1 if the Host header names this machine (or there is none: HTTP/1.0;
 * libmicrohttpd refuses HTTP/1.1 without one). */
static int host_ok(struct MHD_Connection *c)
{
    const char *h = cli_mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                        "Host");
    char name[64];
    const char *end;
    size_t n;
    struct in_addr a4;

    if (!h)
        return 1;
    if (h[0] == '[') {
        end = strchr(h, ']');
        if (!end)
            return 0;
        h++;
    } else {
        end = strchr(h, ':');
        if (!end)
            end = h + strlen(h);
    }
    n = (size_t)(end - h);
    if (n == 0 || n >= sizeof name)
        return 0;
    memcpy(name, h, n);
    name[n] = '\0';
    if (strcmp(name, "localhost") == 0 || strcmp(name, "::1") == 0)
        return 1;
    return inet_pton(AF_INET, name, &a4) == 1 &&
           (ntohl(a4.s_addr) >> 24) == 127;
}

/* ---- the callbacks ------------------------------------------------------ */

void *serve_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct serve_req *q = calloc(1, sizeof *q);

    (void)cls;
    (void)c;
    if (q) {
        const char *qs = strchr(uri, '?');

        q->query_len = qs ? strlen(qs + 1) : 0;
    }
    return q;
}

void serve_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                     enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*req_cls);
    *req_cls = NULL;
}

enum MHD_Result serve_access(void *cls, struct MHD_Connection *c,
                             const char *url, const char *method,
                             const char *version, const char *upload,
                             size_t *upload_size, void **req_cls)
{
    struct serve *s = cls;
    struct serve_req *q = *req_cls;
    struct serve_reply r;
    struct serve_args args;
    const struct serve_file *f = NULL;
    const char *inm;
    int via;

    (void)version;
    (void)upload;
    memset(&r, 0, sizeof r);
    memset(&args, 0, sizeof args);
    r.status = 200;
    r.type = "application/json";
    /* The first call comes with the headers.  A request that is not a
     * GET or HEAD, or that has a body, is answered at once: the body is
     * never read (libmicrohttpd closes the connection after the answer).
     * Answering a good request then would close its connection too (a
     * body might still come), so its answer waits for the second call,
     * once the request is whole, and the connection is kept. */
    if (!q || !q->headers_seen) {
        const char *len = cli_mhd.MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, "Content-Length");

        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
            serve_error(&r, 405, "only GET and HEAD are served");
            return send_reply(c, &r, NULL);
        }
        if ((len && strcmp(len, "0") != 0) ||
            cli_mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                "Transfer-Encoding")) {
            serve_error(&r, 413, "a request with a body");
            return send_reply(c, &r, NULL);
        }
        if (q) {
            q->headers_seen = 1;
            return MHD_YES;
        }
    }
    *upload_size = 0;
    if (q && q->query_len > SERVE_QUERY_MAX) {
        serve_error(&r, 400, "the query string is longer than %d bytes",
                    SERVE_QUERY_MAX);
        return send_reply(c, &r, NULL);
    }
    cli_mhd.MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, on_arg,
                                        &args);
    if (args.too_many) {
        serve_error(&r, 400, "more than %d query parameters",
                    SERVE_ARGS_MAX);
        return send_reply(c, &r, NULL);
    }
    if (s->token[0]) {
        via = token_given(s, c, &args);
        if (!via) {
            serve_error(&r, 401, "this server needs its token: "
                                 "Authorization: Bearer TOKEN, or "
                                 "?token=TOKEN");
            return send_reply(c, &r, NULL);
        }
        if (via == 2 && strcmp(url, "/") == 0) {
            /* The link printed at start: the cookie, then the page
             * without the token in its address. */
            char cookie[128];

            snprintf(cookie, sizeof cookie,
                     "df_token=%s; Path=/; HttpOnly; SameSite=Strict",
                     s->token);
            r.cookie = cookie;
            r.location = "/";
            serve_error(&r, 303, "see /");
            return send_reply(c, &r, NULL);
        }
    } else if (s->check_host && !host_ok(c)) {
        serve_error(&r, 403, "the Host header does not name this machine");
        return send_reply(c, &r, NULL);
    }

    if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
        f = find_file(s, "serve.html");
    else if (strncmp(url, "/assets/", 8) == 0)
        f = find_file(s, url + 1);
    else if (strncmp(url, "/api/", 5) == 0) {
        serve_api(s, url + 5, &args, &r);
        return send_reply(c, &r, NULL);
    }
    if (!f) {
        serve_error(&r, 404, "no such page");
        return send_reply(c, &r, NULL);
    }
    inm = cli_mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                              "If-None-Match");
    if (inm && strcmp(inm, f->etag) == 0)
        r.status = 304;
    return send_reply(c, &r, f);
}
#else
typedef int serve_http_unused;
#endif
