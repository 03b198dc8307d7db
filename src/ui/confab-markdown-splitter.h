/* confab-markdown-splitter.h: where a growing markdown text can be cut
 * into independently parsed pieces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ConfabMarkdownSplitter ConfabMarkdownSplitter;

ConfabMarkdownSplitter *confab_markdown_splitter_new   (void);
void                    confab_markdown_splitter_free  (ConfabMarkdownSplitter *self);
void                    confab_markdown_splitter_reset (ConfabMarkdownSplitter *self);
void                    confab_markdown_splitter_scan  (ConfabMarkdownSplitter *self,
                                                        const char             *text,
                                                        gsize                   len,
                                                        GArray                 *splits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabMarkdownSplitter, confab_markdown_splitter_free)

G_END_DECLS
