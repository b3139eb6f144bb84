/// The machine a benchmark ran on, as one sentence.
pub fn describe() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| {
        l.strip_prefix("model name")
            .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
    });
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map(|kb| kb / 1024.0 / 1024.0);
    format!(
        "Machine: {} core(s), {}, {:.0} GiB memory.",
        cores,
        model.unwrap_or_else(|| "unknown CPU".into()),
        mem_gib.unwrap_or(0.0)
    )
}
