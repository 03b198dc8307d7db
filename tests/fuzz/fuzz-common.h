/* fuzz-common.h: what every fuzz target shares
 *
 * Each target is one file defining LLVMFuzzerTestOneInput(). It is linked
 * twice: with libFuzzer (-Dfuzzing=true, clang) to search for crashes, and
 * with fuzz-replay.c in every ordinary build, where the fuzz-regressions
 * test feeds it the seed corpus and every crash ever found.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);

typedef void (*ConfabFuzzChunkFunc) (const char *chunk,
                                     gsize       len,
                                     gpointer    user_data);

void     confab_fuzz_init        (void);
guint32  confab_fuzz_take_seed   (const uint8_t **data,
                                  size_t         *size);
void     confab_fuzz_chunks      (const char          *data,
                                  gsize                size,
                                  guint32              seed,
                                  ConfabFuzzChunkFunc  func,
                                  gpointer             user_data);
void     confab_fuzz_check_utf8  (const char          *text,
                                  gssize               len,
                                  const char          *what);
char    *confab_fuzz_tmp_path    (const char          *name);

/* A property of the code under test does not hold: crash so that
 * libFuzzer (or the replay driver) reports the input. */
#define confab_fuzz_require(cond) \
  G_STMT_START { if (G_UNLIKELY (!(cond))) \
    g_error ("%s:%d: property violated: %s", __FILE__, __LINE__, #cond); } G_STMT_END

G_END_DECLS
