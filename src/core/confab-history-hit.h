/* confab-history-hit.h: one conversation found by a history search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_HISTORY_HIT (confab_history_hit_get_type ())

G_DECLARE_FINAL_TYPE (ConfabHistoryHit, confab_history_hit, CONFAB, HISTORY_HIT, GObject)

/* Marks the matched parts of a snippet passed to confab_history_hit_new(). */
#define CONFAB_HISTORY_HIT_OPEN  "\x01"
#define CONFAB_HISTORY_HIT_CLOSE "\x02"

ConfabHistoryHit *confab_history_hit_new                (const char       *conversation_id,
                                                         const char       *title,
                                                         gint64            updated_us,
                                                         double            score,
                                                         const char       *marked_snippet);
const char       *confab_history_hit_get_conversation_id (ConfabHistoryHit *self);
const char       *confab_history_hit_get_title          (ConfabHistoryHit *self);
gint64            confab_history_hit_get_updated        (ConfabHistoryHit *self);
double            confab_history_hit_get_score          (ConfabHistoryHit *self);
const char       *confab_history_hit_get_snippet        (ConfabHistoryHit *self);
guint             confab_history_hit_get_n_highlights   (ConfabHistoryHit *self);
void              confab_history_hit_get_highlight      (ConfabHistoryHit *self,
                                                         guint             index,
                                                         guint            *start,
                                                         guint            *end);
char             *confab_history_hit_format_snippet     (ConfabHistoryHit *self,
                                                         const char       *open,
                                                         const char       *close);

G_END_DECLS
