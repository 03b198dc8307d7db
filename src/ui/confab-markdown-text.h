/* confab-markdown-text.h: turning untrusted model output into inert text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Inserted into prose every CONFAB_MARKDOWN_LONG_RUN characters that
 * offer no line break, so Pango can wrap them in linear time. */
#define CONFAB_MARKDOWN_BREAK_CHAR 0x200B
#define CONFAB_MARKDOWN_LONG_RUN   256

void      confab_markdown_append_escaped      (GString    *markup,
                                               const char *text,
                                               gssize      len);
void      confab_markdown_append_plain        (GString    *out,
                                               const char *text,
                                               gssize      len);
char     *confab_markdown_sanitize_code       (const char *code,
                                               gssize      len);
void      confab_markdown_break_long_runs     (GString    *markup);
char     *confab_markdown_dup_shortened       (const char *text,
                                               gsize       max_chars);
gboolean  confab_markdown_decode_entity       (const char *entity,
                                               gsize       len,
                                               GString    *out);
char     *confab_markdown_normalize_uri       (const char *uri,
                                               gssize      len);
gboolean  confab_markdown_uri_is_openable     (const char *uri);
gboolean  confab_markdown_uri_is_remote_image (const char *uri);

G_END_DECLS
