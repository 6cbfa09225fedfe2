// One step cursor shared by every training chart and the sample grid: hovering a chart or moving
// the sample slider sets it, and every chart draws its cursor line (and reads its values) there.
export class StepCursor {
  /** The step under the cursor; null when no chart is hovered and the slider is unset. */
  step = $state<number | null>(null);

  set(step: number | null): void {
    this.step = step;
  }
}
