/*
 * auparse-count: the libauparse side of the auditalert benchmark.
 *
 * Reads an audit record stream on stdin and feeds it to libauparse in feed
 * mode (AUSOURCE_FEED), the way an auditd plugin built on libauparse does:
 * 64 KiB reads, auparse_feed() per chunk, auparse_flush_feed() at end of
 * input. For every event the callback walks every record and every field,
 * fetching the field name and raw value, and counts the events in which
 * some record has a `key` field equal to KEY.
 *
 * usage: auparse-count KEY [raw|interp]
 *   raw     (default) name + raw value of every field. This is the cheapest
 *           "walk every field" and so the strictest baseline for auditalert.
 *   interp  additionally calls auparse_interpret_field() on every field
 *           (names for uids, syscalls, errnos, decoded hex ...), which is
 *           the work auditalert's `events` command does for every field.
 *
 * Matching compares the raw value with its surrounding double quotes
 * removed, in both modes, so the two modes always count the same events.
 * Output (stdout): events=N matches=M records=R fields=F
 *
 * Build: gcc -O2 -o auparse-count auparse-count.c -lauparse -laudit
 */
#include <auparse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

struct tally {
    const char *key;
    size_t key_len;
    int interpret;
    unsigned long long events;
    unsigned long long matches;
    unsigned long long records;
    unsigned long long fields;
    unsigned long long checksum; /* keeps the walk from being optimised away */
};

static int key_equals(const char *raw, const char *key, size_t key_len)
{
    size_t n = strlen(raw);
    if (n >= 2 && raw[0] == '"' && raw[n - 1] == '"') {
        raw++;
        n -= 2;
    }
    return n == key_len && memcmp(raw, key, n) == 0;
}

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *data)
{
    struct tally *t = data;
    int matched = 0;

    if (type != AUPARSE_CB_EVENT_READY)
        return;
    t->events++;
    if (auparse_first_record(au) <= 0)
        return;
    do {
        t->records++;
        if (auparse_first_field(au) <= 0)
            continue;
        do {
            const char *name = auparse_get_field_name(au);
            const char *value = auparse_get_field_str(au);
            t->fields++;
            if (name == NULL || value == NULL)
                continue;
            t->checksum += (unsigned char)name[0] + (unsigned char)value[0];
            if (t->interpret) {
                const char *shown = auparse_interpret_field(au);
                if (shown != NULL)
                    t->checksum += (unsigned char)shown[0];
            }
            if (!matched && name[0] == 'k' && strcmp(name, "key") == 0
                    && key_equals(value, t->key, t->key_len))
                matched = 1;
        } while (auparse_next_field(au) > 0);
    } while (auparse_next_record(au) > 0);
    if (matched)
        t->matches++;
}

int main(int argc, char **argv)
{
    static char buf[64 * 1024];
    struct tally t = {0};
    auparse_state_t *au;
    ssize_t n;

    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "raw") != 0
                                 && strcmp(argv[2], "interp") != 0)) {
        fprintf(stderr, "usage: %s KEY [raw|interp] < stream\n", argv[0]);
        return 2;
    }
    t.key = argv[1];
    t.key_len = strlen(argv[1]);
    t.interpret = argc == 3 && strcmp(argv[2], "interp") == 0;

    au = auparse_init(AUSOURCE_FEED, NULL);
    if (au == NULL) {
        perror("auparse_init");
        return 1;
    }
    auparse_add_callback(au, on_event, &t, NULL);
    for (;;) {
        n = read(STDIN_FILENO, buf, sizeof buf);
        if (n > 0) {
            auparse_feed(au, buf, (size_t)n);
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            perror("read");
            return 1;
        }
    }
    auparse_flush_feed(au);
    auparse_destroy(au);
    printf("events=%llu matches=%llu records=%llu fields=%llu\n",
           t.events, t.matches, t.records, t.fields);
    fprintf(stderr, "checksum=%llu\n", t.checksum);
    return 0;
}
