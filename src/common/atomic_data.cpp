#include "ph3mpi/common/atomic_data.hpp"

#include <array>
#include <cctype>
#include <string_view>
#include <unordered_map>

namespace ph3mpi::common {
namespace {

struct Element {
  const char* symbol;
  double mass;  // AMU; meaningful only when has_mass
  bool has_mass;
};

// Index = atomic number. Values transcribed from phonopy 4.4's atom_data table.
constexpr std::array<Element, kMaxAtomicNumber + 1> kElements = {{
    {"X", 0.0, false},          // 0 X
    {"H", 1.00794, true},       // 1 Hydrogen
    {"He", 4.002602, true},     // 2 Helium
    {"Li", 6.941, true},        // 3 Lithium
    {"Be", 9.012182, true},     // 4 Beryllium
    {"B", 10.811, true},        // 5 Boron
    {"C", 12.0107, true},       // 6 Carbon
    {"N", 14.0067, true},       // 7 Nitrogen
    {"O", 15.9994, true},       // 8 Oxygen
    {"F", 18.9984032, true},    // 9 Fluorine
    {"Ne", 20.1797, true},      // 10 Neon
    {"Na", 22.98976928, true},  // 11 Sodium
    {"Mg", 24.305, true},       // 12 Magnesium
    {"Al", 26.9815386, true},   // 13 Aluminium
    {"Si", 28.0855, true},      // 14 Silicon
    {"P", 30.973762, true},     // 15 Phosphorus
    {"S", 32.065, true},        // 16 Sulfur
    {"Cl", 35.453, true},       // 17 Chlorine
    {"Ar", 39.948, true},       // 18 Argon
    {"K", 39.0983, true},       // 19 Potassium
    {"Ca", 40.078, true},       // 20 Calcium
    {"Sc", 44.955912, true},    // 21 Scandium
    {"Ti", 47.867, true},       // 22 Titanium
    {"V", 50.9415, true},       // 23 Vanadium
    {"Cr", 51.9961, true},      // 24 Chromium
    {"Mn", 54.938045, true},    // 25 Manganese
    {"Fe", 55.845, true},       // 26 Iron
    {"Co", 58.933195, true},    // 27 Cobalt
    {"Ni", 58.6934, true},      // 28 Nickel
    {"Cu", 63.546, true},       // 29 Copper
    {"Zn", 65.38, true},        // 30 Zinc
    {"Ga", 69.723, true},       // 31 Gallium
    {"Ge", 72.64, true},        // 32 Germanium
    {"As", 74.9216, true},      // 33 Arsenic
    {"Se", 78.96, true},        // 34 Selenium
    {"Br", 79.904, true},       // 35 Bromine
    {"Kr", 83.798, true},       // 36 Krypton
    {"Rb", 85.4678, true},      // 37 Rubidium
    {"Sr", 87.62, true},        // 38 Strontium
    {"Y", 88.90585, true},      // 39 Yttrium
    {"Zr", 91.224, true},       // 40 Zirconium
    {"Nb", 92.90638, true},     // 41 Niobium
    {"Mo", 95.96, true},        // 42 Molybdenum
    {"Tc", 98.0, true},         // 43 Technetium
    {"Ru", 101.07, true},       // 44 Ruthenium
    {"Rh", 102.9055, true},     // 45 Rhodium
    {"Pd", 106.42, true},       // 46 Palladium
    {"Ag", 107.8682, true},     // 47 Silver
    {"Cd", 112.411, true},      // 48 Cadmium
    {"In", 114.818, true},      // 49 Indium
    {"Sn", 118.71, true},       // 50 Tin
    {"Sb", 121.76, true},       // 51 Antimony
    {"Te", 127.6, true},        // 52 Tellurium
    {"I", 126.90447, true},     // 53 Iodine
    {"Xe", 131.293, true},      // 54 Xenon
    {"Cs", 132.9054519, true},  // 55 Caesium
    {"Ba", 137.327, true},      // 56 Barium
    {"La", 138.90547, true},    // 57 Lanthanum
    {"Ce", 140.116, true},      // 58 Cerium
    {"Pr", 140.90765, true},    // 59 Praseodymium
    {"Nd", 144.242, true},      // 60 Neodymium
    {"Pm", 145.0, true},        // 61 Promethium
    {"Sm", 150.36, true},       // 62 Samarium
    {"Eu", 151.964, true},      // 63 Europium
    {"Gd", 157.25, true},       // 64 Gadolinium
    {"Tb", 158.92535, true},    // 65 Terbium
    {"Dy", 162.5, true},        // 66 Dysprosium
    {"Ho", 164.93032, true},    // 67 Holmium
    {"Er", 167.259, true},      // 68 Erbium
    {"Tm", 168.93421, true},    // 69 Thulium
    {"Yb", 173.054, true},      // 70 Ytterbium
    {"Lu", 174.9668, true},     // 71 Lutetium
    {"Hf", 178.49, true},       // 72 Hafnium
    {"Ta", 180.94788, true},    // 73 Tantalum
    {"W", 183.84, true},        // 74 Tungsten
    {"Re", 186.207, true},      // 75 Rhenium
    {"Os", 190.23, true},       // 76 Osmium
    {"Ir", 192.217, true},      // 77 Iridium
    {"Pt", 195.084, true},      // 78 Platinum
    {"Au", 196.966569, true},   // 79 Gold
    {"Hg", 200.59, true},       // 80 Mercury
    {"Tl", 204.3833, true},     // 81 Thallium
    {"Pb", 207.2, true},        // 82 Lead
    {"Bi", 208.9804, true},     // 83 Bismuth
    {"Po", 0.0, false},         // 84 Polonium
    {"At", 0.0, false},         // 85 Astatine
    {"Rn", 0.0, false},         // 86 Radon
    {"Fr", 0.0, false},         // 87 Francium
    {"Ra", 0.0, false},         // 88 Radium
    {"Ac", 227.0, true},        // 89 Actinium
    {"Th", 232.03806, true},    // 90 Thorium
    {"Pa", 231.03588, true},    // 91 Protactinium
    {"U", 238.02891, true},     // 92 Uranium
    {"Np", 237.0, true},        // 93 Neptunium
    {"Pu", 0.0, false},         // 94 Plutonium
    {"Am", 0.0, false},         // 95 Americium
    {"Cm", 0.0, false},         // 96 Curium
    {"Bk", 0.0, false},         // 97 Berkelium
    {"Cf", 0.0, false},         // 98 Californium
    {"Es", 0.0, false},         // 99 Einsteinium
    {"Fm", 0.0, false},         // 100 Fermium
    {"Md", 0.0, false},         // 101 Mendelevium
    {"No", 0.0, false},         // 102 Nobelium
    {"Lr", 0.0, false},         // 103 Lawrencium
    {"Rf", 0.0, false},         // 104 Rutherfordium
    {"Db", 0.0, false},         // 105 Dubnium
    {"Sg", 0.0, false},         // 106 Seaborgium
    {"Bh", 0.0, false},         // 107 Bohrium
    {"Hs", 0.0, false},         // 108 Hassium
    {"Mt", 0.0, false},         // 109 Meitnerium
    {"Ds", 0.0, false},         // 110 Darmstadtium
    {"Rg", 0.0, false},         // 111 Roentgenium
    {"Cn", 0.0, false},         // 112 Copernicium
    {"Uut", 0.0, false},        // 113 Ununtrium
    {"Uuq", 0.0, false},        // 114 Ununquadium
    {"Uup", 0.0, false},        // 115 Ununpentium
    {"Uuh", 0.0, false},        // 116 Ununhexium
    {"Uus", 0.0, false},        // 117 Ununseptium
    {"Uuo", 0.0, false},        // 118 Ununoctium
}};

const std::unordered_map<std::string_view, int>& symbol_table() {
  static const std::unordered_map<std::string_view, int> table = [] {
    std::unordered_map<std::string_view, int> t;
    for (int z = 1; z <= kMaxAtomicNumber; ++z) {
      t.emplace(kElements[static_cast<std::size_t>(z)].symbol, z);
    }
    return t;
  }();
  return table;
}

}  // namespace

int atomic_number(const std::string& symbol) {
  const auto& table = symbol_table();
  auto it = table.find(symbol);
  return it == table.end() ? 0 : it->second;
}

std::string element_symbol(int z) {
  if (z < 1 || z > kMaxAtomicNumber) {
    return {};
  }
  return kElements[static_cast<std::size_t>(z)].symbol;
}

std::optional<double> standard_atomic_mass(int z) {
  if (z < 1 || z > kMaxAtomicNumber || !kElements[static_cast<std::size_t>(z)].has_mass) {
    return std::nullopt;
  }
  return kElements[static_cast<std::size_t>(z)].mass;
}

std::pair<std::string, int> split_symbol_and_index(const std::string& label) {
  std::size_t letters = 0;
  while (letters < label.size() && std::isalpha(static_cast<unsigned char>(label[letters]))) {
    ++letters;
  }
  std::string symbol = label.substr(0, letters);
  if (atomic_number(symbol) == 0) {
    return {"", 0};
  }
  if (letters == label.size()) {
    return {symbol, 0};
  }
  std::string digits = label.substr(letters);
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return {"", 0};
    }
  }
  if (digits.size() > 9) {
    return {"", 0};
  }
  int index = std::stoi(digits);
  if (index < 1) {
    return {"", 0};
  }
  return {symbol, index};
}

}  // namespace ph3mpi::common
