/* lg_guard_file.h — the layout of a run's table of first uses (guard=sites).
 *
 * A run (`lifeguard run`, a build under make) is many processes and many
 * images: each exec starts a fresh heap, whose site counts would guard
 * every site's first uses again.  The run's table is a file every image
 * maps shared: a header, then one count per hashed site key.  A site key
 * names code by module and offset, so it is the same in every image of
 * every process (lg_heap_guard.c counts; rt_guard_sites.c keys and maps;
 * cli_run.c makes one per run). */
#ifndef LG_GUARD_FILE_H
#define LG_GUARD_FILE_H

/* The file's first bytes: a file that does not start with them is not
 * one of ours and is never written to. */
#define LG_GUARD_FILE_MAGIC "lifeguard guard=sites first-use counts, version 1\n"
#define LG_GUARD_FILE_HEADER 4096u /* the counts start a page in */
#define LG_GUARD_RUN_BITS 18       /* counts: 256 KiB, one byte each */
#define LG_GUARD_FILE_SIZE (LG_GUARD_FILE_HEADER + (1u << LG_GUARD_RUN_BITS))

_Static_assert(sizeof(LG_GUARD_FILE_MAGIC) <= LG_GUARD_FILE_HEADER, "the magic fits the header");
_Static_assert(LG_GUARD_FILE_HEADER % 4096 == 0, "the counts start on a page of their own");

#endif
