/* confab-message.h: one message of a conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-types.h"

G_BEGIN_DECLS

typedef enum
{
  CONFAB_ROLE_USER,
  CONFAB_ROLE_ASSISTANT,
  CONFAB_ROLE_SYSTEM,
} ConfabRole;

typedef enum
{
  CONFAB_MESSAGE_COMPLETE,
  CONFAB_MESSAGE_STREAMING,
  CONFAB_MESSAGE_INTERRUPTED,
  CONFAB_MESSAGE_FAILED,
  CONFAB_MESSAGE_CANCELLED,
} ConfabMessageState;

const char *confab_role_to_string           (ConfabRole          role);
gboolean    confab_role_from_string         (const char         *str,
                                             ConfabRole         *role);
const char *confab_message_state_to_string  (ConfabMessageState  state);
gboolean    confab_message_state_from_string (const char        *str,
                                              ConfabMessageState *state);

#define CONFAB_TYPE_MESSAGE (confab_message_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessage, confab_message, CONFAB, MESSAGE, GObject)

ConfabMessage      *confab_message_new                (ConfabRole          role,
                                                       const char         *text);

gint64              confab_message_get_id             (ConfabMessage      *self);
void                confab_message_set_id             (ConfabMessage      *self,
                                                       gint64              id);
ConfabRole          confab_message_get_role           (ConfabMessage      *self);
const char         *confab_message_get_text           (ConfabMessage      *self);
void                confab_message_set_text           (ConfabMessage      *self,
                                                       const char         *text);
void                confab_message_append_text        (ConfabMessage      *self,
                                                       const char         *text);
const char         *confab_message_get_reasoning      (ConfabMessage      *self);
void                confab_message_set_reasoning      (ConfabMessage      *self,
                                                       const char         *reasoning);
void                confab_message_append_reasoning   (ConfabMessage      *self,
                                                       const char         *reasoning);
ConfabMessageState  confab_message_get_state          (ConfabMessage      *self);
void                confab_message_set_state          (ConfabMessage      *self,
                                                       ConfabMessageState  state);
const char         *confab_message_get_account_id     (ConfabMessage      *self);
void                confab_message_set_account_id     (ConfabMessage      *self,
                                                       const char         *account_id);
const char         *confab_message_get_provider_id    (ConfabMessage      *self);
void                confab_message_set_provider_id    (ConfabMessage      *self,
                                                       const char         *provider_id);
const char         *confab_message_get_model          (ConfabMessage      *self);
void                confab_message_set_model          (ConfabMessage      *self,
                                                       const char         *model);
gint64              confab_message_get_input_tokens   (ConfabMessage      *self);
void                confab_message_set_input_tokens   (ConfabMessage      *self,
                                                       gint64              tokens);
gint64              confab_message_get_output_tokens  (ConfabMessage      *self);
void                confab_message_set_output_tokens  (ConfabMessage      *self,
                                                       gint64              tokens);
const char         *confab_message_get_finish_reason  (ConfabMessage      *self);
void                confab_message_set_finish_reason  (ConfabMessage      *self,
                                                       const char         *finish_reason);
const char         *confab_message_get_error_code     (ConfabMessage      *self);
const char         *confab_message_get_error_message  (ConfabMessage      *self);
void                confab_message_set_error          (ConfabMessage      *self,
                                                       const char         *code,
                                                       const char         *message);
gint64              confab_message_get_created        (ConfabMessage      *self);
void                confab_message_set_created        (ConfabMessage      *self,
                                                       gint64              created_us);
gint64              confab_message_get_ttft           (ConfabMessage      *self);
void                confab_message_set_ttft           (ConfabMessage      *self,
                                                       gint64              ttft_ms);
gint64              confab_message_get_duration       (ConfabMessage      *self);
void                confab_message_set_duration       (ConfabMessage      *self,
                                                       gint64              duration_ms);

G_END_DECLS
