"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.config = exports.ConfigStore = void 0;
const events_1 = require("events");
/**
 * The application's settings, shared by every request for the life of the
 * process. Emits 'change' when an operator reloads them.
 */
class ConfigStore extends events_1.EventEmitter {
    settings = { currency: 'EUR', taxRate: 0.2 };
    get current() {
        return this.settings;
    }
    update(patch) {
        this.settings = { ...this.settings, ...patch };
        this.emit('change', this.settings);
    }
}
exports.ConfigStore = ConfigStore;
exports.config = new ConfigStore();
//# sourceMappingURL=config.js.map