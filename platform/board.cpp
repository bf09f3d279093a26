#include "board.h"

#include <stdexcept>

#include "ip/common/tlm_util.h"

namespace dynavp {

fw::BoardInfo board_info_of(const PlatformConfig& cfg) {
    fw::BoardInfo b;
    b.platform = cfg.name;
    for (const auto& d : cfg.devices) b.devices.push_back({d.name, to_string(d.type), d.base, d.size, d.irq});
    return b;
}

Board::Board(const PlatformConfig& cfg, const NpuOptions& npu_options) : cfg_(cfg), clk_ps_(period_ps(cfg.clock_mhz)) {
    if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
        throw std::logic_error("dynavp models need SystemC's 1 ps time resolution");
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(double(cfg.quantum_ns), sc_core::SC_NS));

    router_ = std::make_unique<Router>("bus", ps_time(uint64_t(cfg.bus_latency_cycles) * clk_ps_));
    host_ = std::make_unique<HostCpu>("host", cfg.host_irq_lines, cfg.host_clock_mhz, board_info_of(cfg));
    unsigned initiators = 0;
    host_->socket.bind(router_->target_socket);
    router_->name_initiator(initiators++, "host");
    for (unsigned i = 0; i < cfg.host_irq_lines; ++i) {
        irq_lines_.push_back(std::make_unique<sc_core::sc_signal<bool>>(("irq" + std::to_string(i)).c_str()));
        host_->irq[i](*irq_lines_.back());
    }

    for (const DeviceConfig& d : cfg.devices) {
        router_->add_region(d.name, d.base, d.size); // region index == bind order below
        switch (d.type) {
        case DeviceType::Dram: {
            auto m = std::make_unique<Dram>(d.name.c_str(), d.size, d.dram);
            router_->initiator_socket.bind(m->socket);
            drams_.emplace_back(d.name, std::move(m));
            break;
        }
        case DeviceType::Sram: {
            auto m = std::make_unique<Sram>(d.name.c_str(), d.size, d.sram, d.clock_mhz);
            router_->initiator_socket.bind(m->socket);
            srams_.emplace_back(d.name, std::move(m));
            break;
        }
        case DeviceType::Dma: {
            auto m = std::make_unique<Dma>(d.name.c_str(), d.dma, d.clock_mhz);
            router_->initiator_socket.bind(m->regs_socket);
            m->bus_socket.bind(router_->target_socket);
            router_->name_initiator(initiators++, d.name);
            m->irq(irq_signal(d));
            dmas_.emplace_back(d.name, std::move(m));
            break;
        }
        case DeviceType::Npu: {
            npu_ = std::make_unique<Npu>(d.name.c_str(), cfg, npu_options);
            router_->initiator_socket.bind(npu_->regs_socket);
            for (uint32_t i = 0; i < npu_->cores(); ++i) {
                npu_->core(i).bus.bind(router_->target_socket);
                router_->name_initiator(initiators++, d.name + ".core" + std::to_string(i));
            }
            npu_->irq(irq_signal(d));
            break;
        }
        case DeviceType::Transverter:
            transverter_ = std::make_unique<Transverter>(d.name.c_str(), cfg, d);
            router_->initiator_socket.bind(transverter_->socket);
            transverter_->irq.out(irq_signal(d));
            break;
        case DeviceType::Predictor:
            predictor_ = std::make_unique<Predictor>(d.name.c_str(), cfg, d);
            router_->initiator_socket.bind(predictor_->socket);
            predictor_->bus.bind(router_->target_socket);
            router_->name_initiator(initiators++, d.name);
            predictor_->irq.out(irq_signal(d));
            break;
        case DeviceType::RuntimeMonitor:
            monitor_ = std::make_unique<RuntimeMonitor>(d.name.c_str(), d);
            router_->initiator_socket.bind(monitor_->socket);
            monitor_->irq.out(irq_signal(d));
            break;
        case DeviceType::ContextBuffer:
            cb_ = std::make_unique<ContextBuffer>(d.name.c_str(), d);
            router_->initiator_socket.bind(cb_->socket);
            break;
        case DeviceType::DyPipe:
            dypipe_ = std::make_unique<DyPipe>(d.name.c_str(), cfg, d);
            router_->initiator_socket.bind(dypipe_->socket);
            dypipe_->bus.bind(router_->target_socket);
            router_->name_initiator(initiators++, d.name);
            dypipe_->irq.out(irq_signal(d));
            break;
        }
    }
    // DNA's online scheduler (sec. IV): the predictor writes the NPU's tile
    // directory; the runtime monitor reads the cores' runtime tables and
    // drives the predictor and the transverter. Dedicated wires, not the bus.
    if (predictor_) predictor_->attach(npu_.get());
    if (monitor_) monitor_->attach(npu_.get(), predictor_.get(), transverter_.get());
    if (dypipe_) dypipe_->attach(cb_.get()); // the controller manages the context buffer (DyPipe Fig. 3)
}

sc_core::sc_signal<bool>& Board::irq_signal(const DeviceConfig& d) {
    if (d.irq >= 0) return *irq_lines_.at(size_t(d.irq));
    irq_lines_.push_back(std::make_unique<sc_core::sc_signal<bool>>((d.name + "_irq_unconnected").c_str()));
    return *irq_lines_.back();
}

Board::~Board() = default;

template <class T> static T* lookup(std::vector<std::pair<std::string, std::unique_ptr<T>>>& v, const std::string& n) {
    for (auto& [name, m] : v)
        if (name == n) return m.get();
    return nullptr;
}

Dram* Board::dram(const std::string& n) { return lookup(drams_, n); }
Sram* Board::sram(const std::string& n) { return lookup(srams_, n); }
Dma* Board::dma(const std::string& n) { return lookup(dmas_, n); }

void Board::report(Stats& s) const {
    router_->report(s);
    host_->report(s, "host");
    // Main memory (the first DRAM) reports under the schema's fixed "dram";
    // every other device under "devices.<name>".
    for (size_t i = 0; i < drams_.size(); ++i) drams_[i].second->report(s, i == 0 ? "dram" : "devices." + drams_[i].first);
    for (const auto& [name, m] : srams_) m->report(s, "devices." + name);
    for (const auto& [name, m] : dmas_) m->report(s, "devices." + name);
    if (npu_) npu_->report(s, "npu");
    if (transverter_) transverter_->report(s, "transverter");
    if (predictor_) predictor_->report(s, "predictor");
    if (monitor_) monitor_->report(s, "runtime_monitor");
    if (cb_) cb_->report(s, "context_buffer");
    if (dypipe_) dypipe_->report(s, "dypipe");
}

} // namespace dynavp
