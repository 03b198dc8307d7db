/* confab-composer.h: where the user writes the next message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Matches the io.github.confab.Confab.SendKey enum of the settings schema. */
typedef enum
{
  CONFAB_SEND_KEY_ENTER,
  CONFAB_SEND_KEY_SHIFT_ENTER,
} ConfabSendKey;

#define CONFAB_TYPE_COMPOSER (confab_composer_get_type ())

G_DECLARE_FINAL_TYPE (ConfabComposer, confab_composer, CONFAB, COMPOSER, GtkWidget)

GtkWidget     *confab_composer_new            (void);
char          *confab_composer_dup_text       (ConfabComposer *self);
void           confab_composer_set_text       (ConfabComposer *self,
                                               const char     *text);
gboolean       confab_composer_get_can_send   (ConfabComposer *self);
gboolean       confab_composer_get_streaming  (ConfabComposer *self);
void           confab_composer_set_streaming  (ConfabComposer *self,
                                               gboolean        streaming);
ConfabSendKey  confab_composer_get_send_key   (ConfabComposer *self);
void           confab_composer_set_send_key   (ConfabComposer *self,
                                               ConfabSendKey   send_key);
gboolean       confab_composer_send           (ConfabComposer *self);
GtkTextView   *confab_composer_get_text_view  (ConfabComposer *self);

G_END_DECLS
