/* confab-types.h: forward declarations for the core types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ConfabAccount           ConfabAccount;
typedef struct _ConfabAccountStore      ConfabAccountStore;
typedef struct _ConfabChatRequest       ConfabChatRequest;
typedef struct _ConfabChatStream        ConfabChatStream;
typedef struct _ConfabConversation      ConfabConversation;
typedef struct _ConfabMessage           ConfabMessage;
typedef struct _ConfabNdjsonDecoder     ConfabNdjsonDecoder;
typedef struct _ConfabProvider          ConfabProvider;
typedef struct _ConfabProviderInfo      ConfabProviderInfo;
typedef struct _ConfabSseDecoder        ConfabSseDecoder;
typedef struct _ConfabStreamParser      ConfabStreamParser;

G_END_DECLS
