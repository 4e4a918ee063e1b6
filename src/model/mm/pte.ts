/**
 * Page-table entries of a VMA: 0 when not present, else the frame and the
 * permission packed as ((frame + 1) << 2) | PTE_RO/PTE_RW (0 = PTE_NONE).
 */

export const ptePack = (frame: number, perm: number): number => ((frame + 1) << 2) | perm;
export const pteFrame = (pte: number): number => (pte >> 2) - 1;
export const ptePerm = (pte: number): number => pte & 3;
