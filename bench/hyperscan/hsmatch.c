/*
 * hsmatch: the plain multi-pattern baseline for the end-to-end check
 * of `adwatch extract` (50 MB of text, 100,000 advertiser names).
 *
 * It reads one name per line, compiles every name as a literal, case-
 * insensitive and on word boundaries, into one Hyperscan block-mode database
 * (hs_compile_multi), reads the whole text into memory and scans it once,
 * counting matches. It prints compile seconds, scan seconds, matches and peak
 * RSS. It does no normalisation and no judgement: it is the matcher alone.
 *
 * Patterns: every byte that is not an ASCII letter or digit is written as
 * \xHH, so no name can be read as a regex. \b is put only on a side where
 * the name begins or ends with a word character: "Apple Inc." becomes
 * \bApple\x20Inc\x2e (a \b after the final "." would demand a letter right
 * after it and so never match "Apple Inc. said").
 *
 * With \b in 100,000 caseless patterns Hyperscan's compile is pathological
 * on this input (about 200 CPU seconds, see docs/performance.md), so -c does
 * the same whole-word search the usual fast way: the names are compiled as
 * plain caseless literals and the callback checks the byte before and after
 * each match (Hyperscan reports the end offset; a literal's start is end
 * minus its length).
 *
 *   hsmatch [-s] [-n] [-c] NAMES TEXT
 *     -s  HS_FLAG_SINGLEMATCH: report each name at most once
 *     -n  no \b (plain substring literals, every substring counted)
 *     -c  no \b in the patterns; word edges checked in the callback
 *         (do not combine with -s: a first match rejected by the check
 *         would hide later whole-word ones)
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <hs/hs.h>

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void) {
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static char *slurp(const char *path, size_t *len) {
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "hsmatch: open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	if (ferror(f)) {
		fprintf(stderr, "hsmatch: read %s: %s\n", path, strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static int isword(unsigned char c) { return isalnum(c) || c == '_'; }

/* pattern writes name[0:n] as an escaped literal with \b on word edges. */
static char *pattern(const char *name, size_t n, int bounds) {
	char *p = malloc(4 * n + 8), *w = p;
	if (bounds && n > 0 && isword((unsigned char)name[0]))
		w += sprintf(w, "\\b");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (isalnum(c))
			*w++ = (char)c;
		else
			w += sprintf(w, "\\x%02x", c);
	}
	if (bounds && n > 0 && isword((unsigned char)name[n - 1]))
		w += sprintf(w, "\\b");
	*w = 0;
	return p;
}

/* scan is what the callback needs to check word edges after the fact. */
struct scan {
	const unsigned char *text;
	unsigned long long len;
	const size_t *plen;    /* name length in bytes, by id */
	const unsigned char *edge; /* bit 1: name starts with a word char; bit 2: ends with one */
	int check;
	unsigned long long matches;
};

static int onmatch(unsigned int id, unsigned long long from, unsigned long long to,
                   unsigned int flags, void *ctx) {
	(void)from, (void)flags;
	struct scan *s = ctx;
	if (s->check) {
		unsigned long long start = to - s->plen[id];
		if ((s->edge[id] & 1) && start > 0 && isword(s->text[start - 1]))
			return 0;
		if ((s->edge[id] & 2) && to < s->len && isword(s->text[to]))
			return 0;
	}
	s->matches++;
	return 0;
}

int main(int argc, char **argv) {
	int single = 0, bounds = 1, check = 0, opt;
	while ((opt = getopt(argc, argv, "snc")) != -1) {
		if (opt == 's')
			single = 1;
		else if (opt == 'n')
			bounds = 0;
		else if (opt == 'c')
			bounds = 0, check = 1;
		else
			goto usage;
	}
	if (argc - optind != 2) {
	usage:
		fprintf(stderr, "usage: hsmatch [-s] [-n] [-c] NAMES TEXT\n");
		return 2;
	}
	double t0 = now(), c0 = cpu();

	size_t nlen;
	char *names = slurp(argv[optind], &nlen);
	if (!names)
		return 1;
	size_t cap = 1024, count = 0;
	char **pats = malloc(cap * sizeof *pats);
	size_t *plen = malloc(cap * sizeof *plen);
	unsigned char *edge = malloc(cap);
	for (size_t i = 0; i < nlen;) {
		size_t j = i;
		while (j < nlen && names[j] != '\n')
			j++;
		size_t e = j;
		if (e > i && names[e - 1] == '\r')
			e--;
		if (e > i) {
			if (count == cap) {
				cap *= 2;
				pats = realloc(pats, cap * sizeof *pats);
				plen = realloc(plen, cap * sizeof *plen);
				edge = realloc(edge, cap);
			}
			plen[count] = e - i;
			edge[count] = (isword((unsigned char)names[i]) ? 1 : 0) |
			              (isword((unsigned char)names[e - 1]) ? 2 : 0);
			pats[count++] = pattern(names + i, e - i, bounds);
		}
		i = j + 1;
	}
	unsigned int *flags = malloc(count * sizeof *flags);
	unsigned int *ids = malloc(count * sizeof *ids);
	for (size_t i = 0; i < count; i++) {
		flags[i] = HS_FLAG_CASELESS | (single ? HS_FLAG_SINGLEMATCH : 0);
		ids[i] = (unsigned int)i;
	}

	double t1 = now(), c1 = cpu();
	hs_database_t *db = NULL;
	hs_compile_error_t *cerr = NULL;
	if (hs_compile_multi((const char *const *)pats, flags, ids, (unsigned int)count,
	                     HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
		fprintf(stderr, "hsmatch: compile pattern %d (%s): %s\n", cerr->expression,
		        cerr->expression >= 0 ? pats[cerr->expression] : "-", cerr->message);
		hs_free_compile_error(cerr);
		return 1;
	}
	double t2 = now(), c2 = cpu();
	size_t dbsize = 0;
	hs_database_size(db, &dbsize);

	hs_scratch_t *scratch = NULL;
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
		fprintf(stderr, "hsmatch: alloc scratch failed\n");
		return 1;
	}
	size_t tlen;
	char *text = slurp(argv[optind + 1], &tlen);
	if (!text)
		return 1;
	if (tlen > 0xffffffffu) {
		fprintf(stderr, "hsmatch: text over 4 GiB\n");
		return 1;
	}

	double t3 = now(), c3 = cpu();
	struct scan sc = {(const unsigned char *)text, tlen, plen, edge, check, 0};
	if (hs_scan(db, text, (unsigned int)tlen, 0, scratch, onmatch, &sc) != HS_SUCCESS) {
		fprintf(stderr, "hsmatch: scan failed\n");
		return 1;
	}
	double t4 = now(), c4 = cpu();

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double mb = tlen / 1048576.0;
	unsigned long long matches = sc.matches;
	printf("patterns %zu (%s%s)\n", count,
	       bounds ? "\\b on word edges, " : check ? "word edges checked in callback, " : "no \\b, ",
	       single ? "CASELESS|SINGLEMATCH" : "CASELESS");
	printf("read names      %.2f s wall  %.2f s cpu\n", t1 - t0, c1 - c0);
	printf("compile         %.2f s wall  %.2f s cpu  (database %.1f MB)\n", t2 - t1, c2 - c1,
	       dbsize / 1e6);
	printf("scan            %.2f s wall  %.2f s cpu  %.1f MiB  %.1f MiB/cpu-s\n", t4 - t3,
	       c4 - c3, mb, c4 > c3 ? mb / (c4 - c3) : 0);
	printf("matches         %llu\n", matches);
	printf("peak RSS        %.0f MB\n", ru.ru_maxrss / 1024.0);
	hs_free_scratch(scratch);
	hs_free_database(db);
	return 0;
}
