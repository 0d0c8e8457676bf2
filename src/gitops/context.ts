import type { Templates } from '../render/index.js';
import type { RenderSettings } from '../render/settings.js';

/** What planning needs besides a tree: compiled templates and cluster settings. */
export interface PlanContext {
  readonly templates: Templates;
  readonly settings: RenderSettings;
}
