/* confab-util.h: small helpers shared by the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  confab_set_str            (char       **str_pointer,
                                     const char  *new_str);
void      confab_json_escape_append (GString     *out,
                                     const char  *str,
                                     gssize       len);
char     *confab_new_id             (void);
gboolean  confab_str_is_blank       (const char  *str);

G_END_DECLS
