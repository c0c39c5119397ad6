/*
 * net.c - live feeds: tcp://HOST:PORT clients and udp://[HOST]:PORT
 * listeners, as descriptors the reader and `listen` poll.
 *
 * A TCP feed is a receiver or a relay that serves NMEA lines to whoever
 * connects (AIS-catcher, rtl_ais -T, OpenCPN and SignalK on 10110, gpsd on
 * 2947).  Every address getaddrinfo() gives is tried in turn, with a
 * non-blocking connect bounded by a timeout.  For gpsd's port 2947 we send
 * ?WATCH={"enable":true,"json":false,"raw":1}: gpsd then relays the
 * receiver's sentences as they came, after a few JSON status lines that
 * the framer counts as non-AIS and skips.
 *
 * A UDP feed is a port receivers send datagrams to.  udp://:PORT listens on
 * every address: one IPv6 socket with IPV6_V6ONLY off (dual stack, so
 * 127.0.0.1, 0.0.0.0 and ::1 all reach it), or an IPv4 socket where IPv6 is
 * missing.  udp://HOST:PORT binds each address HOST names (localhost: both
 * 127.0.0.1 and ::1, as AIS-catcher users expect).
 *
 * All descriptors are non-blocking and close-on-exec.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GPSD_PORT "2947"
#define GPSD_WATCH "?WATCH={\"enable\":true,\"json\":false,\"raw\":1}\n"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

void cli_net_catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;           /* no SA_RESTART: poll(2) returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_stop_requested(void)
{
    return stop_flag != 0;
}

int64_t cli_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum cli_net_kind cli_net_kind(const char *input)
{
    if (strncmp(input, "tcp://", 6) == 0)
        return CLI_NET_TCP;
    if (strncmp(input, "udp://", 6) == 0)
        return CLI_NET_UDP;
    return CLI_NET_NONE;
}

/* Splits "HOST:PORT", "[V6]:PORT" or ":PORT" (after the scheme) into host
 * (empty for any) and port.  Returns 0, or -1 if malformed. */
static int split_url(const char *rest, char *host, size_t hostlen,
                     char *port, size_t portlen)
{
    const char *colon, *h = rest;
    size_t hl;

    if (*rest == '[') {
        const char *close = strchr(rest, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        h = rest + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(rest, ':');
        if (colon == NULL)
            return -1;
        hl = (size_t)(colon - rest);
        if (memchr(rest, ':', hl) != NULL)
            return -1;          /* a bare IPv6 address needs brackets */
    }
    if (hl >= hostlen || strlen(colon + 1) >= portlen)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    strcpy(port, colon + 1);
    if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
        strtol(port, NULL, 10) > 65535)
        return -1;
    if (strchr(port, '/') != NULL)
        return -1;
    return 0;
}

static int nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Connects to one address within timeout_ms.  Returns the descriptor or
 * -1 with errno set. */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    int64_t deadline = cli_now_ms() + timeout_ms;
    int e;

    if (fd < 0)
        return -1;
    if (nonblock(fd) < 0)
        goto fail;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS && errno != EINTR)
        goto fail;
    for (;;) {
        struct pollfd p;
        int64_t left = deadline - cli_now_ms();
        socklen_t elen = sizeof(e);
        int r;

        if (left <= 0) {
            errno = ETIMEDOUT;
            goto fail;
        }
        if (cli_stop_requested()) {
            errno = EINTR;
            goto fail;
        }
        p.fd = fd;
        p.events = POLLOUT;
        p.revents = 0;
        r = poll(&p, 1, (int)(left < 250 ? left : 250));
        if (r < 0 && errno != EINTR)
            goto fail;
        if (r <= 0)
            continue;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
            goto fail;
        if (e != 0) {
            errno = e;
            goto fail;
        }
        return fd;
    }
fail:
    e = errno;
    close(fd);
    errno = e;
    return -1;
}

static int open_tcp(const char *url, const char *host, const char *port,
                    int *fds, int timeout_ms, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1, rc, e = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    rc = getaddrinfo(host[0] ? host : "localhost", port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", url, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = connect_one(ai, timeout_ms);
        if (fd < 0)
            e = errno;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", url,
                 e ? strerror(e) : "no address to connect to");
        return -1;
    }
    if (strcmp(port, GPSD_PORT) == 0) {
        /* Best effort: a full socket buffer right after connect cannot
         * happen; a peer that is not gpsd just sees one junk line. */
        if (send(fd, GPSD_WATCH, sizeof(GPSD_WATCH) - 1, MSG_NOSIGNAL) < 0) {
            snprintf(err, errlen, "%s: %s", url, strerror(errno));
            close(fd);
            return -1;
        }
    }
    fds[0] = fd;
    return 1;
}

/* Binds one datagram socket to ai; v6only says whether an IPv6 wildcard
 * socket should also take IPv4.  Returns the descriptor or -1. */
static int bind_one(const struct addrinfo *ai, int v6only)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    int e;

    /* No SO_REUSEADDR: a second listener on the same port must fail
     * loudly, not steal half the datagrams. */
    if (fd < 0)
        return -1;
    if (ai->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
    if (nonblock(fd) < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int open_udp(const char *url, const char *host, const char *port,
                    int *fds, int maxfds, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL, *ai;
    int n = 0, rc, e = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE;
    if (host[0] == '\0') {
        /* Any address: one dual-stack socket, else IPv4 alone. */
        hints.ai_family = AF_INET6;
        if (getaddrinfo(NULL, port, &hints, &res) == 0) {
            int fd = bind_one(res, 0);
            if (fd < 0)
                e = errno;
            freeaddrinfo(res);
            res = NULL;
            if (fd >= 0) {
                fds[0] = fd;
                return 1;
            }
        }
        hints.ai_family = AF_INET;
        rc = getaddrinfo(NULL, port, &hints, &res);
    } else {
        hints.ai_family = AF_UNSPEC;
        rc = getaddrinfo(host, port, &hints, &res);
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", url, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL && n < maxfds; ai = ai->ai_next) {
        int fd = bind_one(ai, 1);
        if (fd < 0) {
            e = errno;
            continue;
        }
        fds[n++] = fd;
    }
    freeaddrinfo(res);
    if (n == 0) {
        snprintf(err, errlen, "%s: %s", url,
                 e ? strerror(e) : "no address to listen on");
        return -1;
    }
    return n;
}

int cli_net_open(const char *url, int *fds, int maxfds, int timeout_ms,
                 char *err, size_t errlen)
{
    char host[256], port[16];
    enum cli_net_kind kind = cli_net_kind(url);

    if (kind == CLI_NET_NONE || maxfds < 1 ||
        split_url(url + 6, host, sizeof(host), port, sizeof(port)) != 0) {
        snprintf(err, errlen,
                 "%s: expected tcp://HOST:PORT or udp://[HOST]:PORT", url);
        return -1;
    }
    if (timeout_ms <= 0)
        timeout_ms = CLI_NET_CONNECT_MS;
    if (kind == CLI_NET_TCP)
        return open_tcp(url, host, port, fds, timeout_ms, err, errlen);
    return open_udp(url, host, port, fds, maxfds, err, errlen);
}

long cli_net_read(int fd, int udp, char *buf, size_t len)
{
    ssize_t n;

    if (len < 2)
        return -2;
    if (udp) {
        /* One datagram; its last line must not merge with the next
         * datagram's first, so end it with a newline. */
        n = recv(fd, buf, len - 1, MSG_TRUNC);
        if (n > (ssize_t)(len - 1))
            n = (ssize_t)(len - 1);  /* truncated: the framer caps it */
        if (n > 0 && buf[n - 1] != '\n')
            buf[n++] = '\n';
        if (n == 0)
            return -2;          /* empty datagram: nothing to do */
    } else {
        n = recv(fd, buf, len, 0);
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return -2;
        return -1;
    }
    return (long)n;
}
