/*
 * eval.c - agreement between the codebook and a human reference: precision,
 * recall, F1 and Cohen's kappa of a 2x2 table (DESIGN §6).
 */
#include "common.h"

void grille_scores_compute(const grille_confusion *c, grille_scores *out)
{
    double tp = (double)c->tp, fp = (double)c->fp, fn = (double)c->fn,
           tn = (double)c->tn;
    double n = tp + fp + fn + tn;
    out->precision = tp + fp > 0 ? tp / (tp + fp) : (fn > 0 ? 0.0 : 1.0);
    out->recall = tp + fn > 0 ? tp / (tp + fn) : (fp > 0 ? 0.0 : 1.0);
    double pr = out->precision + out->recall;
    out->f1 = pr > 0 ? 2 * out->precision * out->recall / pr : 0.0;
    if (n == 0) {
        out->kappa = 1.0;
        return;
    }
    double po = (tp + tn) / n;
    double pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n);
    if (pe >= 1.0)
        out->kappa = po >= 1.0 ? 1.0 : 0.0;
    else
        out->kappa = (po - pe) / (1 - pe);
}
