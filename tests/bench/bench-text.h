/* bench-text.h: deterministic chat text for the desktop-app benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void  bench_text_append_question (GString *text,
                                  GRand   *rand);
void  bench_text_append_reply    (GString *text,
                                  GRand   *rand);
char *bench_text_make_document   (gsize    size);

G_END_DECLS
