import { EventEmitter } from 'events';

export interface PricingSettings {
  currency: string;
  taxRate: number;
}

/**
 * The application's settings, shared by every request for the life of the
 * process. Emits 'change' when an operator reloads them.
 */
export class ConfigStore extends EventEmitter {
  private settings: PricingSettings = { currency: 'EUR', taxRate: 0.2 };

  get current(): PricingSettings {
    return this.settings;
  }

  update(patch: Partial<PricingSettings>): void {
    this.settings = { ...this.settings, ...patch };
    this.emit('change', this.settings);
  }
}

export const config = new ConfigStore();
