/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_main.c - runs a libFuzzer target over files, without libFuzzer.
 *
 * Every tests/fuzz/fuzz_*.c is also linked with this main so that CI can
 * replay the committed corpora (and the shared torture corpus) under the
 * plain and sanitizer builds without clang's fuzzer runtime.  Arguments are
 * files or directories (read one level deep).  Prints
 * "N passed, 0 failed"; a crash or sanitizer report is the failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define SF_REPLAY_MAX_INPUT (1024 * 1024)

static int run_file(const char *path, uint8_t *buf)
{
	FILE *fp = fopen(path, "rb");
	size_t n;
	uint8_t *copy;

	if (!fp) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, SF_REPLAY_MAX_INPUT, fp);
	fclose(fp);
	/* An exact-size heap copy lets ASan catch reads past the input. */
	copy = malloc(n ? n : 1);
	if (!copy)
		return -1;
	memcpy(copy, buf, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t *buf = malloc(SF_REPLAY_MAX_INPUT);
	unsigned long ran = 0, bad = 0;

	if (!buf)
		return 1;
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			bad++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;

			while (d && (e = readdir(d))) {
				char p[4096];

				if (e->d_name[0] == '.')
					continue;
				snprintf(p, sizeof(p), "%s/%s", argv[i],
					 e->d_name);
				if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
					if (run_file(p, buf) < 0)
						bad++;
					else
						ran++;
				}
			}
			if (d)
				closedir(d);
		} else if (run_file(argv[i], buf) < 0) {
			bad++;
		} else {
			ran++;
		}
	}
	free(buf);
	printf("%lu passed, %lu failed\n", ran, bad);
	return bad ? 1 : 0;
}
