/*
 * Echo ping-pong load generator for the echo benchmark.
 *
 * Opens N connections to a TCP echo server, and on each keeps exactly one
 * message in flight: send SIZE bytes, wait until SIZE bytes came back, send
 * again. One thread, epoll, non-blocking sockets: written in C so the load
 * generator is never the bottleneck of a Python server under test (it is
 * pinned to its own core by the harness).
 *
 * Usage: loadgen HOST PORT CONNECTIONS SIZE WARMUP_S MEASURE_S
 * Prints one line of JSON: {"messages": n, "seconds": s, "rate": n/s, ...}.
 * Bounded: it stops by itself after WARMUP_S + MEASURE_S, and fails (exit 2)
 * if the server stalls for 5 s or closes a connection.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

struct conn {
    int fd;
    size_t sent;     /* bytes of the current message written */
    size_t received; /* bytes of the current echo read */
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(2);
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s HOST PORT CONNECTIONS SIZE WARMUP_S MEASURE_S\n", argv[0]);
        return 64;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]), nconn = atoi(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    double warmup = atof(argv[5]), measure = atof(argv[6]);
    char *out = malloc(size), *in = malloc(size > 65536 ? size : 65536);
    memset(out, 'x', size);

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "bad host\n"); return 64; }

    int ep = epoll_create1(0);
    struct conn *conns = calloc(nconn, sizeof *conns);
    for (int i = 0; i < nconn; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        conns[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = &conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    }

    double start = now(), measure_start = start + warmup, end = measure_start + measure;
    double last_progress = start;
    long long counted = 0, total = 0;
    struct epoll_event events[256];
    for (;;) {
        double t = now();
        if (t >= end) break;
        if (t - last_progress > 5.0) { fprintf(stderr, "loadgen: server stalled for 5 s\n"); return 2; }
        int n = epoll_wait(ep, events, 256, 100);
        if (n < 0) { if (errno == EINTR) continue; die("epoll_wait"); }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->sent < size && (events[i].events & EPOLLOUT)) {
                ssize_t w = write(c->fd, out + c->sent, size - c->sent);
                if (w < 0 && errno != EAGAIN) die("write");
                if (w > 0) c->sent += (size_t)w;
                if (c->sent == size) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    ssize_t r = read(c->fd, in, size - c->received < 65536 ? size - c->received : 65536);
                    if (r == 0) { fprintf(stderr, "loadgen: server closed a connection\n"); return 2; }
                    if (r < 0) { if (errno == EAGAIN) break; die("read"); }
                    c->received += (size_t)r;
                    if (c->received == size) {
                        /* one round trip done: count it, start the next message */
                        total++;
                        last_progress = now();
                        if (last_progress >= measure_start) counted++;
                        c->sent = c->received = 0;
                        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                        break;
                    }
                }
            }
        }
    }
    double seconds = now() - measure_start;
    printf("{\"messages\": %lld, \"seconds\": %.3f, \"rate\": %.1f, \"total\": %lld, \"connections\": %d, \"size\": %zu}\n",
           counted, seconds, counted / seconds, total, nconn, size);
    for (int i = 0; i < nconn; i++) close(conns[i].fd);
    return 0;
}
