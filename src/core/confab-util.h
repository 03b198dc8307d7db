/* confab-util.h: small helpers shared by the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean  confab_set_str            (char       **str_pointer,
                                     const char  *new_str);
void      confab_json_escape_append (GString     *out,
                                     const char  *str,
                                     gssize       len);
char     *confab_new_id             (void);
gboolean  confab_str_is_blank       (const char  *str);
void      confab_string_reset       (GString    **string,
                                     gsize        keep);
gboolean  confab_utf8_validate      (const char  *str,
                                     gsize        len,
                                     gboolean     allow_nul);

/* Deeper JSON than any provider, export or settings file ever writes. */
#define CONFAB_JSON_MAX_DEPTH 512

gboolean  confab_json_check         (const char  *data,
                                     gssize       len,
                                     GError     **error);
gboolean  confab_json_parser_load   (JsonParser  *parser,
                                     const char  *data,
                                     gssize       len,
                                     GError     **error);

G_END_DECLS
