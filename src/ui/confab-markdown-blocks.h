/* confab-markdown-blocks.h: the widgets that show markdown blocks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "confab-markdown-parser.h"

G_BEGIN_DECLS

typedef struct _ConfabMarkdownBlocks ConfabMarkdownBlocks;

ConfabMarkdownBlocks *confab_markdown_blocks_new                 (GtkWidget            *owner);
void                  confab_markdown_blocks_free                (ConfabMarkdownBlocks *self);
void                  confab_markdown_blocks_reconcile           (ConfabMarkdownBlocks *self,
                                                                  GtkWidget            *container,
                                                                  GtkWidget            *after,
                                                                  GPtrArray            *old_nodes,
                                                                  GPtrArray            *new_nodes);
void                  confab_markdown_blocks_set_remote_images   (ConfabMarkdownBlocks *self,
                                                                  gboolean              remote_images);
void                  confab_markdown_blocks_emit_pending_images (ConfabMarkdownBlocks *self);
void                  confab_markdown_blocks_forget_images       (ConfabMarkdownBlocks *self);
void                  confab_markdown_blocks_set_image           (GtkWidget            *root,
                                                                  const char           *uri,
                                                                  GdkPaintable         *paintable);
void                  confab_markdown_blocks_release_focus       (GtkWidget            *widget);
char                 *confab_markdown_blocks_dup_css             (void);

G_END_DECLS
