/**
 * Which of the streams a peer opens are new. Stream ids of one type are
 * opened in order (RFC 9000 §2.1), but their first packets may arrive out
 * of order, or after a loss: opening stream 36 implicitly opens 0 to 32
 * (§3.2), whose data may come later. So an id below the highest seen is new
 * while it is one of the ids skipped over; the set of those is bounded by
 * the stream limit we grant, since quiche refuses ids beyond it.
 */
export class PeerStreamIds {
  /** Per type (id & 3): the highest id seen. */
  private readonly highest = new Map<number, number>();
  private readonly skipped = new Set<number>();

  /** True the first time `id` is seen. */
  claim(id: number): boolean {
    const type = id & 0x3;
    const highest = this.highest.get(type) ?? type - 4;
    if (id > highest) {
      for (let missing = highest + 4; missing < id; missing += 4) this.skipped.add(missing);
      this.highest.set(type, id);
      return true;
    }
    return this.skipped.delete(id);
  }
}
